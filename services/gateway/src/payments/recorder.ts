import { transact, writeOne } from '@paystream/db';
import type { PaystreamEvent } from '@paystream/events';
import type { Db } from '../store/orders.js';
import { insertOrder, type Order, type Refund, saveOrder, saveRefund, type Trx } from '../store/orders.js';
import { buildEvents, type EventSpec } from './events.js';

/** Writes events into the outbox inside the caller's transaction (`enqueueEvents` of @paystream/bus). */
export type EnqueueEvents = (trx: Trx, events: readonly PaystreamEvent[]) => Promise<void>;

export interface RecorderDeps {
  db: Db;
  enqueue: EnqueueEvents;
  source: string;
  now: () => Date;
  /**
   * Runs after a transaction that enqueued events has committed (the outbox relay's `wake`). It
   * must not throw: the state is already recorded.
   */
  afterCommit?: () => void;
}

/**
 * The one way state changes: the order (and refund) rows and their events commit in a single
 * transaction, so an upstream result is either fully recorded with its events or not at all.
 */
export class Recorder {
  constructor(private readonly deps: RecorderDeps) {}

  now(): string {
    return this.deps.now().toISOString();
  }

  /**
   * Records a new order that has no events yet (a create's intent), unless its number is taken:
   * answers whether it did. One statement, atomic without a transaction of its own.
   */
  recordNew(order: Order): Promise<boolean> {
    return writeOne(this.deps.db, (db) => insertOrder(db, order));
  }

  /** Answers the order as saved (without reading it back) and the events it recorded. */
  async commit(
    order: Omit<Order, 'sequence'> & { sequence?: number },
    events: readonly EventSpec[],
    refund?: Refund,
    extra?: (trx: Trx) => Promise<void>,
  ): Promise<{ order: Order; events: PaystreamEvent[] }> {
    const committed = await transact(this.deps.db, async (trx) => {
      await extra?.(trx);
      const sequence = await saveOrder(trx, order, events.length);
      if (refund) await saveRefund(trx, refund);
      const saved: Order = { ...order, sequence };
      let built: PaystreamEvent[] = [];
      if (events.length > 0) {
        built = buildEvents(saved, events, sequence - events.length + 1, {
          source: this.deps.source,
          occurredAt: order.updated_at,
        });
        await this.deps.enqueue(trx, built);
      }
      return { order: saved, events: built };
    });
    if (committed.events.length > 0) this.deps.afterCommit?.();
    return committed;
  }
}
