import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ImmediateSqliteDialect } from './dialect.js';
import { nameStatementsOf } from './statement-names.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** An open database: the Kysely handle, which engine is behind it, and how to close it. */
export interface Database<DB = unknown> {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Where it lives, with any password removed (safe to log). */
  readonly location: string;
  destroy(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` (or `postgresql://…`) for PostgreSQL; unset, `sqlite:<file>` or a path for SQLite. */
  readonly url?: string | undefined;
  /** The SQLite file when `url` is unset. Default `.data/paystream.sqlite` under the working directory. */
  readonly sqliteFile?: string;
  /** PostgreSQL pool size. Default 10. */
  readonly poolSize?: number;
  /**
   * An idle pooled PostgreSQL connection failed (server restart, failover, an administrator
   * terminating it). The pool drops that connection and the next query opens a new one.
   * Default: one warning line on stderr.
   */
  readonly onIdleConnectionError?: (err: Error) => void;
}

// PostgreSQL returns BIGINT (int8) and NUMERIC as strings. Amounts are integer minor units well
// inside the safe-integer range, so they come back as numbers, and anything beyond that range
// fails loudly instead of rounding.
pg.types.setTypeParser(20, (text) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is outside the safe integer range`);
  return n;
});

/** Opens SQLite or PostgreSQL from a URL (DATABASE_URL semantics: unset means a SQLite file). */
export function openDatabase<DB = unknown>(options: OpenDatabaseOptions = {}): Database<DB> {
  const url = options.url?.trim();
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // pg emits 'error' for idle clients; unhandled, it would crash the process on a server restart.
    pool.on(
      'error',
      options.onIdleConnectionError ??
        ((err) => console.warn(`database ${redactUrl(url)}: idle connection lost: ${err.message}`)),
    );
    // A client checked out of the pool (a query or a transaction running on it) whose connection
    // fails is not the pool's to watch: pg emits 'error' on the client itself, and with no listener
    // that ends the process (a chaos run saw a gateway die of pg_terminate_backend). The query in
    // flight fails with the error on its own, and the pool drops the client when it is released,
    // so there is nothing more to do here.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    nameStatementsOf(pool);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', location: redactUrl(url), destroy: () => db.destroy() };
  }
  const file = resolveSqliteFile(url, options.sqliteFile);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets readers run beside the single writer; busy_timeout makes a second process wait
  // for the lock instead of failing; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  cachePreparedStatements(sqlite);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return { db, kind: 'sqlite', location: file, destroy: () => db.destroy() };
}

/** How many distinct SQL texts keep their prepared statement. Kysely emits a few dozen shapes. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query again on every call, and profiling the gateway showed
 * `prepare` alone at 14 % of a create's CPU. Kysely runs one query at a time on the connection, so a
 * statement is never in use twice at once and can be reused: keep the most recent ones by SQL text.
 */
function cachePreparedStatements(sqlite: SQLite.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the statement as most recently used.
      cache.delete(source);
      cache.set(source, cached);
      return cached;
    }
    const statement = prepare(source);
    cache.set(source, statement);
    if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return statement;
  }) as typeof sqlite.prepare;
}

function resolveSqliteFile(url: string | undefined, fallback: string | undefined): string {
  if (url) {
    if (url.startsWith('sqlite:')) return resolveFile(url.slice('sqlite:'.length).replace(/^\/\//, ''));
    if (url.includes('://')) throw new Error(`DATABASE_URL has an unsupported scheme: ${redactUrl(url)}`);
    return resolveFile(url);
  }
  return resolveFile(fallback ?? '.data/paystream.sqlite');
}

function resolveFile(file: string): string {
  return file === ':memory:' ? file : resolve(file);
}

/** Removes the password from a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
