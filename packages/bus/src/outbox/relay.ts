import { preparedQuery, writeOne } from '@paystream/db';
import { validateEvent } from '@paystream/events';
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Registry } from 'prom-client';
import { silentLogger } from '../log.js';
import { busMetrics } from '../metrics.js';
import type { BusLogger, EventBus } from '../types.js';
import { OUTBOX_TABLE } from './migrations.js';
import { createPoller } from './poller.js';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the outbox lives in the caller's database, whatever its schema type.
  db: Kysely<any>;
  bus: EventBus;
  /** How often the running relay looks for new rows besides its wakes. Default 200 ms. */
  pollIntervalMs?: number;
  /** Rows published per bus call. Default 100. */
  batchSize?: number;
  registry?: Registry;
  logger?: BusLogger;
  /** Test seam: runs after a batch is published and before it is marked sent (crash tests). */
  afterPublish?: (count: number) => void | Promise<void>;
}

/** The relay: publishes outbox rows in `position` order and marks them sent. */
export interface OutboxRelay {
  /** Starts polling in the background. */
  start(): void;
  /** Publishes everything pending now, in order; returns how many rows it published. */
  flush(): Promise<number>;
  /**
   * Publishes soon, without waiting for the next poll: call it after committing a transaction that
   * enqueued events. Wakes in a burst share one drain; the poll still finds rows committed by
   * other processes or whose wake was lost. Ignored unless started.
   */
  wake(): void;
  /** Rows not yet published (also updates `paystream_outbox_pending`). */
  pending(): Promise<number>;
  /** Stops polling after the flush in progress (it is not cut short). */
  stop(): Promise<void>;
}

interface Row {
  position: number;
  payload: string;
}

// Key of the PostgreSQL advisory lock that makes one relay at a time publish, whatever the number
// of gateway instances sharing the database: two relays publishing the same rows would double
// every event and could interleave one order's events out of order.
const RELAY_LOCK_KEY = 0x7061_7973; // "pays"

// biome-ignore lint/suspicious/noExplicitAny: see OutboxRelayOptions.db.
const selectPending = preparedQuery((db: Kysely<any>, v: { limit: number }) =>
  db
    .selectFrom(OUTBOX_TABLE)
    .select(['position', 'payload'])
    .where('sent_at', 'is', null)
    .orderBy('position')
    .limit(v.limit)
    .$castTo<Row>(),
);

/**
 * Creates the relay. Rows are published strictly in order; on PostgreSQL any number of relays may
 * run (one publishes at a time), on SQLite run one per file. A crash between publish and mark-sent
 * re-sends the batch with the same event ids, which consumers dedupe.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { db, bus } = opts;
  const batchSize = opts.batchSize ?? 100;
  const pollIntervalMs = opts.pollIntervalMs ?? 200;
  const logger = opts.logger ?? silentLogger;
  const metrics = busMetrics(opts.registry);

  const pending = async () => {
    const row = await db
      .selectFrom(OUTBOX_TABLE)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    const n = Number(row.n);
    metrics.outboxPending.set(n);
    return n;
  };

  // biome-ignore lint/suspicious/noExplicitAny: see OutboxRelayOptions.db.
  const publishBatch = async (q: Kysely<any>): Promise<number> => {
    const rows = (await selectPending(q, { limit: batchSize })).rows;
    if (rows.length === 0) return 0;
    await bus.publish(rows.map((r) => validateEvent(JSON.parse(r.payload))));
    await opts.afterPublish?.(rows.length);
    // On SQLite the mark shares a commit with the requests' transactions (group commit).
    await writeOne(q, (d) =>
      d
        .updateTable(OUTBOX_TABLE)
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

  // On PostgreSQL each batch runs in a transaction holding the relay lock; a relay that cannot take
  // it stops this flush, because another one is publishing the same rows right now. SQLite has one
  // writer per file and the all-in-one one relay, so it needs no lock.
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const lockedBatch = async (): Promise<number | 'busy'> => {
    if (!isPostgres) return publishBatch(db);
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}) as locked`.execute(trx);
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
        metrics.outboxPending.set(0);
        break;
      }
    }
    return total;
  };

  const poller = createPoller(drain, {
    pollIntervalMs,
    logger,
    failure: 'outbox relay could not publish; will retry',
  });
  return {
    start: poller.start,
    flush: poller.flush,
    wake: poller.wake,
    pending,
    stop: poller.stop,
  };
}
