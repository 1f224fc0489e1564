import { transact, writeOne } from '@paystream/db';
import type { PaystreamEvent } from '@paystream/events';
import type { Db } from '../store/orders.js';
import {
  findRefund,
  insertOrder,
  lockOrder,
  type Order,
  type Refund,
  saveOrderIf,
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

/** An order (and the refund a change is about) as a change reads them. */
export interface Current {
  order: Order;
  refund?: Refund | undefined;
}

/** What a fact changes: the rows to write and the events the change stands for. */
export interface Change {
  order: Order;
  events: readonly EventSpec[];
  refund?: Refund | undefined;
}

/**
 * An upstream fact (an answer, a notify, a query) applied to the order as it is: the change, or
 * null when the fact changes nothing in that row (another request already recorded it, or it is
 * older than what is recorded). It must be a pure function of `current`: it may run twice.
 */
export type ChangeOf = (current: Current) => Change | null;

export interface ApplyOptions {
  /** The refund the change is about: read again with the order when the row moved on. */
  refundNo?: string;
  /** Runs first, in the same transaction (a notify's dedupe row). */
  extra?: (trx: Trx) => Promise<void>;
}

/** What {@link Recorder.apply} recorded: the rows as they are now and the events it enqueued. */
export interface Applied {
  order: Order;
  refund?: Refund | undefined;
  events: PaystreamEvent[];
  /** False when the change was null for the row as it is (nothing was written). */
  applied: boolean;
}

/**
 * The one way state changes. A change is computed from the row it will overwrite, never from a
 * copy read before an upstream call: the write names the row's version (compare-and-set), and
 * when another request wrote the row since (in this process or another gateway), the row is read
 * again under lock and the change computed anew from it. So transitions and their events come from
 * the row as it is at commit: a transition another instance took emits nothing, and a fact older
 * than the row changes nothing. The order (and refund) rows and their events commit in a single
 * transaction, so a result is either fully recorded with its events or not at all.
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

  /**
   * Applies `change` to the order, starting from `seen` (what the caller read; its version is the
   * guess that nothing wrote the row since). A change about a refund names it (`refundNo`), so
   * the refund is read again with the order. `extra` runs first in the same transaction.
   */
  async apply(seen: Current, change: ChangeOf, opts: ApplyOptions = {}): Promise<Applied> {
    const committed = await transact(this.deps.db, async (trx): Promise<Applied> => {
      await opts.extra?.(trx);
      let current = seen;
      let next = change(current);
      // Nothing changes in the row as the caller saw it, nor then in any later one: the record
      // only moves forward.
      if (!next) return { ...current, events: [], applied: false };
      let saved = await saveOrderIf(trx, next.order, current.order.version, next.events.length);
      if (!saved) {
        current = await lockCurrent(trx, seen.order.out_trade_no, opts.refundNo);
        next = change(current);
        if (!next) return { ...current, events: [], applied: false };
        saved = await saveOrderIf(trx, next.order, current.order.version, next.events.length);
        // Locked: nothing can have written it between the read and the write.
        if (!saved) throw new Error(`order ${seen.order.out_trade_no} changed under its row lock`);
      }
      if (next.refund) await saveRefund(trx, next.refund);
      const order: Order = { ...next.order, ...saved };
      let events: PaystreamEvent[] = [];
      if (next.events.length > 0) {
        events = buildEvents(order, next.events, saved.sequence - next.events.length + 1, {
          source: this.deps.source,
          occurredAt: order.updated_at,
        });
        await this.deps.enqueue(trx, events);
      }
      return { order, refund: next.refund ?? current.refund, events, applied: true };
    });
    if (committed.events.length > 0) this.deps.afterCommit?.();
    return committed;
  }
}

async function lockCurrent(trx: Trx, outTradeNo: string, refundNo: string | undefined): Promise<Current> {
  const order = await lockOrder(trx, outTradeNo);
  if (!order) throw new Error(`order ${outTradeNo} is gone`);
  return { order, refund: refundNo === undefined ? undefined : await findRefund(trx, outTradeNo, refundNo) };
}
