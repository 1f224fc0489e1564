// Tables that would grow forever (sent outbox rows, processed event ids, Idempotency-Key claims)
// are kept to a retention: a background pass deletes the rows older than it, a batch per
// statement with a pause between batches, so a backlog of millions of old rows never holds a lock
// or the group commit for long. It is apart from the outbox relay: its own statements, never in the
// relay's transaction or under its lock. Every process may run one on the same tables: on
// PostgreSQL each batch skips the rows another process's batch is deleting, and deleting a row
// twice is harmless anywhere.
import { RETENTION_DEFAULTS } from '@paystream/config';
import { isPostgres, writeOne } from '@paystream/db';
import { LABEL_TABLE, METRIC_TABLE_PRUNED_ROWS_TOTAL, METRIC_TABLE_ROWS } from '@paystream/telemetry';
import { type Kysely, sql } from 'kysely';
import { Counter, Gauge, type Metric, Registry } from 'prom-client';
import { errorMessage, silentLogger } from '../log.js';
import type { BusLogger } from '../types.js';

/** A table kept to a retention. */
export interface RetainedTable {
  table: string;
  /**
   * The column that dates a row, ISO-8601 text as `Date.prototype.toISOString` writes it. A row
   * goes once this is older than `retentionMs`; a row where it is null never goes (an unsent
   * outbox row has no `sent_at`).
   */
  column: string;
  retentionMs: number;
}

/** Options of {@link createTablePruner}. */
export interface TablePrunerOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the tables live in the caller's database, whatever its schema type.
  db: Kysely<any>;
  tables: readonly RetainedTable[];
  /** Time from the end of one pass to the start of the next. Default 60 s. */
  intervalMs?: number;
  /** Rows deleted per statement. Default 1,000. */
  batchSize?: number;
  /** Pause between two statements of a pass. Default 100 ms. */
  pauseMs?: number;
  registry?: Registry;
  logger?: BusLogger;
  /** The clock (tests). */
  now?: () => number;
}

/** A running pruner. */
export interface TablePruner {
  /** Runs a pass now, then one `intervalMs` after each pass ends, in the background. */
  start(): void;
  /**
   * One pass over every table now (after the one in progress): deletes what is older than each
   * retention, batch by batch, then counts the rows left (`paystream_table_rows{table}`). Resolves
   * with the rows deleted per table.
   */
  prune(): Promise<Record<string, number>>;
  /** Stops after the statement in progress; the pass it cuts short is finished by the next start. */
  stop(): Promise<void>;
}

/** Defaults of {@link TablePrunerOptions}: the configuration's (PRUNE_INTERVAL_MS, PRUNE_BATCH_SIZE, PRUNE_PAUSE_MS). */
export const PRUNE_DEFAULTS = {
  intervalMs: RETENTION_DEFAULTS.pruneIntervalMs,
  batchSize: RETENTION_DEFAULTS.pruneBatchSize,
  pauseMs: RETENTION_DEFAULTS.prunePauseMs,
} as const;

// PostgreSQL: row counts are exact below this many rows (by the planner's estimate); above, the
// estimate itself, which autovacuum keeps current. A count(*) reads the whole table, and the
// gauge only has to show the table stays bounded.
const EXACT_COUNT_BELOW = 1_000_000;

function once<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** `paystream_table_rows{table}` and `paystream_table_pruned_rows_total{table}` on `registry`. */
export function retentionMetrics(registry: Registry = new Registry()) {
  const registers = [registry];
  return {
    rows: once(
      registry,
      METRIC_TABLE_ROWS,
      () =>
        new Gauge({
          name: METRIC_TABLE_ROWS,
          help: 'Rows a table kept to a retention holds, counted after each pruning pass, by table',
          labelNames: [LABEL_TABLE],
          registers,
        }),
    ),
    pruned: once(
      registry,
      METRIC_TABLE_PRUNED_ROWS_TOTAL,
      () =>
        new Counter({
          name: METRIC_TABLE_PRUNED_ROWS_TOTAL,
          help: 'Rows deleted from a table kept to a retention because they outlived it, by table',
          labelNames: [LABEL_TABLE],
          registers,
        }),
    ),
  };
}

/**
 * Deletes at most `limit` rows of `t` older than `cutoff` (ISO text) in one statement; returns how
 * many it deleted. PostgreSQL: by `ctid`, skipping rows locked by another process's delete (so
 * concurrent pruners take disjoint batches); SQLite: by `rowid`, in the group commit.
 */
export async function deleteOlderBatch(
  // biome-ignore lint/suspicious/noExplicitAny: see TablePrunerOptions.db.
  db: Kysely<any>,
  t: Pick<RetainedTable, 'table' | 'column'>,
  cutoff: string,
  limit: number,
): Promise<number> {
  const table = sql.table(t.table);
  const column = sql.ref(t.column);
  if (isPostgres(db)) {
    const result = await sql`delete from ${table} where ctid = any(array(
        select ctid from ${table} where ${column} < ${cutoff} limit ${limit} for update skip locked))`.execute(
      db,
    );
    return Number(result.numAffectedRows ?? 0);
  }
  const result = await writeOne(db, (d) =>
    sql`delete from ${table} where rowid in (
        select rowid from ${table} where ${column} < ${cutoff} limit ${limit})`.execute(d),
  );
  return Number(result.numAffectedRows ?? 0);
}

/** Rows in `table`: exact, or on PostgreSQL the planner's estimate once it is past a million. */
// biome-ignore lint/suspicious/noExplicitAny: see TablePrunerOptions.db.
export async function countRows(db: Kysely<any>, table: string): Promise<number> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ estimate: number | string | null }>`
      select reltuples::bigint as estimate from pg_class where oid = to_regclass(${table})`.execute(db);
    const estimate = Number(rows[0]?.estimate ?? -1);
    if (estimate >= EXACT_COUNT_BELOW) return estimate;
  }
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
    db,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Creates the pruner of `tables`; nothing runs until `start()` or `prune()`. */
export function createTablePruner(opts: TablePrunerOptions): TablePruner {
  const { db } = opts;
  const intervalMs = opts.intervalMs ?? PRUNE_DEFAULTS.intervalMs;
  const batchSize = opts.batchSize ?? PRUNE_DEFAULTS.batchSize;
  const pauseMs = opts.pauseMs ?? PRUNE_DEFAULTS.pauseMs;
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const metrics = retentionMetrics(opts.registry);
  for (const t of opts.tables) metrics.pruned.inc({ [LABEL_TABLE]: t.table }, 0);

  let running = false;
  // Set while stop() waits: the pass in progress ends after its current statement.
  let halting = false;
  let timer: NodeJS.Timeout | undefined;
  // The pause in progress, so stop() need not wait it out.
  let wakePause: (() => void) | undefined;
  let current: Promise<unknown> = Promise.resolve();

  const pause = () =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, pauseMs);
      function done() {
        clearTimeout(t);
        wakePause = undefined;
        resolve();
      }
      wakePause = done;
    });

  const pruneTable = async (t: RetainedTable): Promise<number> => {
    // One cutoff for the whole pass: rows that age during it wait for the next.
    const cutoff = new Date(now() - t.retentionMs).toISOString();
    let deleted = 0;
    for (;;) {
      if (halting) break;
      const n = await deleteOlderBatch(db, t, cutoff, batchSize);
      deleted += n;
      if (n > 0) metrics.pruned.inc({ [LABEL_TABLE]: t.table }, n);
      if (n < batchSize) break;
      if (pauseMs > 0) await pause();
    }
    if (!halting) metrics.rows.set({ [LABEL_TABLE]: t.table }, await countRows(db, t.table));
    return deleted;
  };

  const pass = async (): Promise<Record<string, number>> => {
    const deleted: Record<string, number> = {};
    for (const t of opts.tables) {
      if (halting) break;
      deleted[t.table] = await pruneTable(t);
    }
    return deleted;
  };

  // Passes never overlap: a second caller waits for the first.
  const prune = () => {
    const next = current.catch(() => undefined).then(pass);
    current = next;
    return next;
  };

  const tick = async () => {
    timer = undefined;
    try {
      const deleted = await prune();
      const total = Object.values(deleted).reduce((a, b) => a + b, 0);
      if (total > 0) logger.info({ deleted }, 'pruned rows older than their retention');
    } catch (err) {
      logger.warn({ error: errorMessage(err) }, 'pruning old rows failed; will retry');
    }
    if (running) timer = setTimeout(tick, intervalMs);
  };

  return {
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(tick, 0);
    },
    prune,
    async stop() {
      running = false;
      halting = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      wakePause?.();
      await current.catch(() => undefined);
      halting = false;
    },
  };
}
