import type { PaystreamEvent } from '@paystream/events';
import type { Db } from '../store/orders.js';
import {
  findOrder,
  nextSequence,
  type Order,
  type Refund,
  saveOrder,
  saveRefund,
  type Trx,
} from '../store/orders.js';
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

  async commit(
    order: Omit<Order, 'sequence'> & { sequence?: number },
    events: readonly EventSpec[],
    refund?: Refund,
    extra?: (trx: Trx) => Promise<void>,
  ): Promise<{ order: Order; events: PaystreamEvent[] }> {
    const committed = await this.deps.db.transaction().execute(async (trx) => {
      await extra?.(trx);
      await saveOrder(trx, order);
      if (refund) await saveRefund(trx, refund);
      let built: PaystreamEvent[] = [];
      if (events.length > 0) {
        const first = await nextSequence(trx, order.out_trade_no, events.length);
        built = buildEvents({ ...order, sequence: first }, events, first, {
          source: this.deps.source,
          occurredAt: order.updated_at,
        });
        await this.deps.enqueue(trx, built);
      }
      const saved = await findOrder(trx, order.out_trade_no);
      return { order: saved!, events: built };
    });
    if (committed.events.length > 0) this.deps.afterCommit?.();
    return committed;
  }
}
