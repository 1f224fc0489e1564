// The one outbox relay: whatever an outbox table holds (the gateway's events, the plugins' Kafka
// records), its rows are published in `position` order by one relay at a time, however many
// processes share the database, and marked sent. The callers only say which table, which columns
// make a row, and how rows are sent.
import { isPostgres, preparedQuery, writeOne } from '@paystream/db';
import { type Kysely, sql } from 'kysely';
import type { Registry } from 'prom-client';
import { silentLogger } from '../log.js';
import { busMetrics } from '../metrics.js';
import type { BusLogger } from '../types.js';
import { createPoller } from './poller.js';

/** What every outbox relay is given besides its table. */
export interface RelayOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the outbox lives in the caller's database, whatever its schema type.
  db: Kysely<any>;
  /** How often the running relay looks for new rows besides its wakes. Default 200 ms. */
  pollIntervalMs?: number;
  /** Rows published per send. Default 100. */
  batchSize?: number;
  registry?: Registry;
  logger?: BusLogger;
  /** Test seam: runs after a batch is published and before it is marked sent (crash tests). */
  afterPublish?: (count: number) => void | Promise<void>;
}

/** Options of {@link createTableRelay}. */
export interface TableRelayOptions<R> extends RelayOptions {
  /** The outbox table: `position` orders it, `sent_at` is null until a row is published. */
  table: string;
  /** The columns a row is sent from (`position` is always read too). */
  columns: readonly string[];
  /** Publishes rows, in the order given, before resolving; a throw leaves them all unsent. */
  send(rows: readonly R[]): Promise<void>;
}

/** A relay: publishes outbox rows in `position` order and marks them sent. */
export interface OutboxRelay {
  /** Starts polling in the background. */
  start(): void;
  /** Publishes everything pending now, in order; returns how many rows it published. */
  flush(): Promise<number>;
  /**
   * Publishes soon, without waiting for the next poll: call it after committing a transaction that
   * enqueued rows. Wakes in a burst share one drain; the poll still finds rows committed by other
   * processes, or whose wake found another process's relay publishing. Ignored unless started.
   */
  wake(): void;
  /** Rows not yet published (also updates `paystream_outbox_pending{table}`). */
  pending(): Promise<number>;
  /** Stops polling after the flush in progress (it is not cut short). */
  stop(): Promise<void>;
}

// First key of every relay's advisory lock (two-key form, so it is apart from single-key locks).
const LOCK_NAMESPACE = 0x7061_7973; // "pays"

/**
 * The PostgreSQL advisory lock `[namespace, key]` of the relay of `table`: the second key is the
 * FNV-1a hash of the table name, so every process derives the same lock for a table, and the
 * relays of different tables never wait for each other.
 */
export function outboxLockKey(table: string): readonly [number, number] {
  let hash = 0x811c_9dc5;
  for (const byte of Buffer.from(table, 'utf8')) hash = Math.imul(hash ^ byte, 0x0100_0193);
  return [LOCK_NAMESPACE, hash | 0];
}

/**
 * Creates the relay of one outbox table. Rows are sent strictly in position order, a batch at a
 * time, then marked sent. On PostgreSQL each batch runs in a transaction holding the table's
 * advisory lock, so any number of processes may run a relay of the same table and each row is
 * published once, in order (two relays publishing the same rows would double them and could
 * interleave one order's rows out of order). A crash between send and mark-sent sends the batch
 * again, with the same ids, which consumers dedupe. On SQLite (one writer per file, one relay per
 * file) there is no lock, and the mark joins the group commit of the requests' transactions.
 */
export function createTableRelay<R>(opts: TableRelayOptions<R>): OutboxRelay {
  const { db, table } = opts;
  const batchSize = opts.batchSize ?? 100;
  const logger = opts.logger ?? silentLogger;
  const gauge = busMetrics(opts.registry).outboxPending;
  const labels = { table };
  const [namespace, key] = outboxLockKey(table);

  // biome-ignore lint/suspicious/noExplicitAny: see RelayOptions.db.
  const selectPending = preparedQuery((q: Kysely<any>, v: { limit: number }) =>
    q
      .selectFrom(table)
      .select(['position', ...opts.columns])
      .where('sent_at', 'is', null)
      .orderBy('position')
      .limit(v.limit)
      .$castTo<R & { position: number | string }>(),
  );

  const pending = async () => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    gauge.set(labels, n);
    return n;
  };

  // biome-ignore lint/suspicious/noExplicitAny: see RelayOptions.db.
  const publishBatch = async (q: Kysely<any>): Promise<number> => {
    const rows = (await selectPending(q, { limit: batchSize })).rows;
    if (rows.length === 0) return 0;
    await opts.send(rows);
    await opts.afterPublish?.(rows.length);
    // On SQLite the mark shares a commit with the requests' transactions (group commit).
    await writeOne(q, (d) =>
      d
        .updateTable(table)
        .set({ sent_at: new Date().toISOString() })
        .where(
          'position',
          'in',
          rows.map((r) => r.position),
        )
        .execute(),
    );
    return rows.length;
  };

  // A relay that cannot take the lock ends this drain: another process is publishing the same rows
  // right now, and its drain goes on while it finds full batches.
  const locking = isPostgres(db);
  const lockedBatch = async (): Promise<number | 'busy'> => {
    if (!locking) return publishBatch(db);
    return db.transaction().execute(async (trx) => {
      // The lock and the read stay two statements: a statement reads the snapshot taken when it
      // started, so a read in the lock's own statement could take the lock just released by another
      // relay and still see that relay's batch unsent, and publish it again.
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${namespace}::int4, ${key}::int4) as locked`.execute(trx);
      return rows[0]?.locked ? publishBatch(trx) : 'busy';
    });
  };

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const published = await lockedBatch();
      if (published === 'busy') {
        await pending();
        break;
      }
      total += published;
      // A short batch read every row pending when it looked: no need to look again, or to count.
      if (published < batchSize) {
        gauge.set(labels, 0);
        break;
      }
    }
    return total;
  };

  const poller = createPoller(drain, {
    pollIntervalMs: opts.pollIntervalMs ?? 200,
    logger,
    failure: `outbox relay of ${table} could not publish; will retry`,
  });
  return {
    start: poller.start,
    flush: poller.flush,
    wake: poller.wake,
    pending,
    stop: poller.stop,
  };
}
