import { outboxRows } from '@paystream/bus';
import { isPostgres, transact, writeOne } from '@paystream/db';
import type { PaystreamEvent } from '@paystream/events';
import {
  type ClaimAndInsert,
  claimKeyAndInsert,
  type KeyAnswer,
  saveOrderWithEvents,
  storeKeyAnswer,
} from '../store/one-statement.js';
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
import type { IdempotencyTable } from '../store/schema.js';
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
  /**
   * The answer the request's Idempotency-Key is to replay, given the order as recorded: stored
   * with the change, in the same statement or transaction, instead of a write of its own.
   */
  answer?: (order: Order) => KeyAnswer;
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
   * {@link recordNew} for a request with an Idempotency-Key: claims the key first, and records the
   * order only if the claim succeeded. One statement on PostgreSQL.
   */
  claimAndRecordNew(claim: IdempotencyTable, order: Order): Promise<ClaimAndInsert> {
    return claimKeyAndInsert(this.deps.db, claim, order);
  }

  /**
   * Applies `change` to the order, starting from `seen` (what the caller read; its version is the
   * guess that nothing wrote the row since). A change about a refund names it (`refundNo`), so
   * the refund is read again with the order. `extra` runs first in the same transaction.
   */
  async apply(seen: Current, change: ChangeOf, opts: ApplyOptions = {}): Promise<Applied> {
    const fast = await this.applyInOneStatement(seen, change, opts);
    if (fast) {
      if (fast.events.length > 0) this.deps.afterCommit?.();
      return fast;
    }
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
      if (opts.answer) await storeKeyAnswer(trx, opts.answer(order));
      return { order, refund: next.refund ?? current.refund, events, applied: true };
    });
    if (committed.events.length > 0) this.deps.afterCommit?.();
    return committed;
  }

  /**
   * On PostgreSQL, a change of the order alone (no refund row, nothing else in the transaction)
   * as one statement: the compare-and-set of the row, its events and the key's answer. Its events
   * are numbered from the row as seen, which is the row as written whenever the version still
   * matches; when it does not, nothing is written and this answers undefined, and `apply` takes
   * the transaction that reads the row again under lock. Also undefined when the change is not of
   * that kind, or on SQLite (in-process statements, nothing to save).
   */
  private async applyInOneStatement(
    seen: Current,
    change: ChangeOf,
    opts: ApplyOptions,
  ): Promise<Applied | undefined> {
    if (opts.extra || opts.refundNo !== undefined || !isPostgres(this.deps.db)) return undefined;
    const next = change(seen);
    if (!next) return { ...seen, events: [], applied: false };
    if (next.refund) return undefined;
    const expected = seen.order.version;
    const order: Order = {
      ...next.order,
      sequence: seen.order.sequence + next.events.length,
      version: expected + 1,
    };
    const events = buildEvents(order, next.events, seen.order.sequence + 1, {
      source: this.deps.source,
      occurredAt: order.updated_at,
    });
    const saved = await saveOrderWithEvents(
      this.deps.db,
      order,
      expected,
      outboxRows(events),
      opts.answer?.(order),
    );
    if (!saved) return undefined;
    if (saved.sequence !== order.sequence || saved.version !== order.version) {
      // Unreachable while only saveOrderIf-like writes advance both: the row said otherwise.
      throw new Error(
        `order ${order.out_trade_no}: recorded sequence ${saved.sequence}, expected ${order.sequence}`,
      );
    }
    return { order, refund: seen.refund, events, applied: true };
  }
}

async function lockCurrent(trx: Trx, outTradeNo: string, refundNo: string | undefined): Promise<Current> {
  const order = await lockOrder(trx, outTradeNo);
  if (!order) throw new Error(`order ${outTradeNo} is gone`);
  return { order, refund: refundNo === undefined ? undefined : await findRefund(trx, outTradeNo, refundNo) };
}
