import { validateEvent } from '@paystream/events';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { errorMessage, silentLogger } from '../log.js';
import { busMetrics } from '../metrics.js';
import type { BusLogger, EventBus } from '../types.js';
import { OUTBOX_TABLE } from './migrations.js';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  // biome-ignore lint/suspicious/noExplicitAny: the outbox lives in the caller's database, whatever its schema type.
  db: Kysely<any>;
  bus: EventBus;
  /** How often the running relay looks for new rows. Default 200 ms. */
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
  /** Rows not yet published (also updates `paystream_outbox_pending`). */
  pending(): Promise<number>;
  /** Stops polling after the flush in progress (it is not cut short). */
  stop(): Promise<void>;
}

interface Row {
  position: number;
  payload: string;
}

/**
 * Creates the relay. Run one per database: rows are published strictly in order, and a crash between
 * publish and mark-sent re-sends the batch with the same event ids, which consumers dedupe.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { db, bus } = opts;
  const batchSize = opts.batchSize ?? 100;
  const pollIntervalMs = opts.pollIntervalMs ?? 200;
  const logger = opts.logger ?? silentLogger;
  const metrics = busMetrics(opts.registry);
  let current: Promise<number> = Promise.resolve(0);
  let timer: NodeJS.Timeout | undefined;
  let running = false;

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

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const rows = (await db
        .selectFrom(OUTBOX_TABLE)
        .select(['position', 'payload'])
        .where('sent_at', 'is', null)
        .orderBy('position')
        .limit(batchSize)
        .execute()) as Row[];
      if (rows.length === 0) break;
      await bus.publish(rows.map((r) => validateEvent(JSON.parse(r.payload))));
      await opts.afterPublish?.(rows.length);
      await db
        .updateTable(OUTBOX_TABLE)
        .set({ sent_at: new Date().toISOString() })
        .where(
          'position',
          'in',
          rows.map((r) => r.position),
        )
        .execute();
      total += rows.length;
    }
    await pending();
    return total;
  };

  // Flushes never overlap: a second caller waits for the first, so rows go out once and in order.
  const flush = () => {
    const next = current.catch(() => 0).then(drain);
    current = next;
    return next;
  };

  const tick = async () => {
    if (!running) return;
    try {
      await flush();
    } catch (err) {
      logger.warn({ error: errorMessage(err) }, 'outbox relay could not publish; will retry');
    }
    if (running) timer = setTimeout(tick, pollIntervalMs);
  };

  return {
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(tick, 0);
    },
    flush,
    pending,
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current.catch(() => 0);
    },
  };
}
