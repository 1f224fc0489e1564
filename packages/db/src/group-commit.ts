import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { isSqlite } from './dialect.js';

/**
 * Runs `work` as one transaction: all of it commits, or none of it. On PostgreSQL it is
 * `db.transaction().execute(work)`. On SQLite, the transactions asked for in the same turn of the
 * event loop share one database transaction and one commit, which is most of what a small write
 * costs there (profiling the gateway: beginning and committing cost more CPU than its statements).
 * Each runs in a savepoint of its own, one after the other in the order asked, so one that fails
 * is rolled back alone and the others see exactly what they would have seen had each committed on
 * its own. Each caller's promise settles once the shared commit is done (or failed: then every
 * transaction of the group is rolled back, and every caller gets the error).
 *
 * `work` must only use the database through `trx`, and never wait for anything else (an HTTP
 * call, another `transact`): the whole group waits for it.
 */
export function transact<DB, T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return db.transaction().execute(work);
  return joinGroup(db, work);
}

/**
 * Runs one writing statement. On SQLite it joins the transaction group of {@link transact}, so it
 * shares a commit instead of paying for one of its own; elsewhere it runs as it is (autocommit).
 */
export function writeOne<DB, T>(db: Kysely<DB>, statement: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return statement(db);
  return joinGroup(db, statement, true);
}

/** How many transactions one group holds at most: a commit is never far behind under load. */
const MAX_GROUP = 64;

interface Member<DB> {
  work: (trx: Transaction<DB>) => Promise<unknown>;
  /**
   * One statement (`writeOne`): it needs no savepoint of its own, since SQLite undoes a statement
   * that breaks a constraint and keeps the transaction open. Savepoints were 8 of a keyed create's
   * 14 statements.
   */
  single: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Group<DB> {
  waiting: Member<DB>[];
  /** A flush is scheduled or running: new members wait for the next one. */
  busy: boolean;
}

const groups = new WeakMap<object, Group<unknown>>();

function joinGroup<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
  single = false,
): Promise<T> {
  let group = groups.get(db) as Group<DB> | undefined;
  if (!group) {
    group = { waiting: [], busy: false };
    groups.set(db, group as Group<unknown>);
  }
  const joined = group;
  return new Promise<T>((resolve, reject) => {
    joined.waiting.push({ work, single, resolve: resolve as (value: unknown) => void, reject });
    if (!joined.busy) {
      joined.busy = true;
      // After the callbacks of this turn: the requests whose answers arrived together commit together.
      setImmediate(() => void flush(db, joined));
    }
  });
}

const SAVEPOINT = CompiledQuery.raw('savepoint paystream_group');
const RELEASE = CompiledQuery.raw('release paystream_group');
const ROLLBACK_TO = CompiledQuery.raw('rollback to paystream_group');

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function flush<DB>(db: Kysely<DB>, group: Group<DB>): Promise<void> {
  const members = group.waiting.splice(0, MAX_GROUP);
  const outcomes: Outcome[] = [];
  const lone = members.length === 1 ? members[0]! : undefined;
  if (lone?.single) {
    // One statement alone is its own transaction (autocommit): no begin and commit around it.
    await lone.work(db as unknown as Transaction<DB>).then(lone.resolve, lone.reject);
    return next(db, group);
  }
  try {
    await db.transaction().execute(async (trx) => {
      // Alone, a member is the transaction: its failure rolls the transaction back.
      if (members.length === 1) {
        outcomes.push({ ok: true, value: await members[0]!.work(trx) });
        return;
      }
      for (const member of members) {
        if (member.single) {
          try {
            outcomes.push({ ok: true, value: await member.work(trx) });
          } catch (error) {
            if (mayHaveEndedTransaction(error)) throw error;
            outcomes.push({ ok: false, error });
          }
          continue;
        }
        await trx.executeQuery(SAVEPOINT);
        try {
          outcomes.push({ ok: true, value: await member.work(trx) });
        } catch (error) {
          await trx.executeQuery(ROLLBACK_TO);
          outcomes.push({ ok: false, error });
        }
        await trx.executeQuery(RELEASE);
      }
    });
  } catch (error) {
    // Nothing of the group committed: each member learns why (its own failure, if it had one).
    members.forEach((m, i) => {
      const own = outcomes[i];
      m.reject(own && !own.ok ? own.error : error);
    });
    return next(db, group);
  }
  members.forEach((m, i) => {
    const own = outcomes[i]!;
    if (own.ok) m.resolve(own.value);
    else m.reject(own.error);
  });
  next(db, group);
}

/**
 * A statement SQLite refused for a constraint (UNIQUE, CHECK, NOT NULL…) is undone alone, and an
 * error raised before SQLite ran it touched nothing; any other SQLite failure (I/O, a full disk)
 * may have rolled the whole transaction back, so the group must fail with it.
 */
function mayHaveEndedTransaction(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') && !code.startsWith('SQLITE_CONSTRAINT');
}

function next<DB>(db: Kysely<DB>, group: Group<DB>): void {
  if (group.waiting.length > 0) setImmediate(() => void flush(db, group));
  else group.busy = false;
}
