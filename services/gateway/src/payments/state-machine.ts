import type { EventOperation, EventType } from '@paystream/events';
import type { OrderStatus, RefundStatus } from '../store/schema.js';

/** One allowed move of an order's status: the event it stands for, and who may observe it. */
export interface Transition {
  from: OrderStatus;
  to: OrderStatus;
  /** Emitted once, when the move is recorded, whichever operation observed it. */
  event?: EventType;
  /** The operations whose answer may make this move (the sweeper observes by `query`). */
  by: readonly EventOperation[];
}

/**
 * The order state machine, written down once. Every path (the answer to create/refund/cancel/
 * close, the notify callback, a query on read, the intent sweeper) moves an order only along
 * these edges, and the edges' events are the only transition events there are. Nothing leads
 * back: a lagging query or a late notify can never undo what was recorded.
 *
 * `unknown` is a durable intent: the create may have reached the aggregator. `failed` is a create
 * the aggregator refused (or that provably never reached it); the caller may try the number again.
 * A payment observed on an order that had ended is `paid_after_close` (see {@link paymentStatusFor}).
 */
export const ORDER_TRANSITIONS: readonly Transition[] = [
  { from: 'unknown', to: 'pending', event: 'payment.created', by: ['create', 'query', 'notify'] },
  { from: 'unknown', to: 'failed', event: 'payment.failed', by: ['create', 'query'] },
  { from: 'failed', to: 'unknown', by: ['create'] },
  { from: 'failed', to: 'pending', event: 'payment.created', by: ['query', 'notify'] },
  { from: 'pending', to: 'paid', event: 'payment.succeeded', by: ['notify', 'query'] },
  { from: 'pending', to: 'closed', event: 'payment.closed', by: ['close', 'query'] },
  { from: 'paid', to: 'partially_refunded', by: ['refund', 'query'] },
  { from: 'paid', to: 'refunded', by: ['refund', 'query'] },
  { from: 'partially_refunded', to: 'refunded', by: ['refund', 'query'] },
  { from: 'paid', to: 'canceled', event: 'payment.canceled', by: ['cancel', 'query'] },
  // Money that arrived after the order ended is recorded, never acknowledged and dropped. A query
  // cannot show a payment after a cancel (the aggregator shows the reversal), a notify can.
  { from: 'closed', to: 'paid_after_close', event: 'payment.paid_after_close', by: ['notify', 'query'] },
  { from: 'canceled', to: 'paid_after_close', event: 'payment.paid_after_close', by: ['notify'] },
  { from: 'paid_after_close', to: 'partially_refunded', by: ['refund', 'query'] },
  { from: 'paid_after_close', to: 'refunded', by: ['refund', 'query'] },
];

/**
 * The refund state machine: a `pending` refund is a durable intent (the refund may have reached
 * the aggregator); a query, the refund's answer or the sweeper settles it once.
 */
export const REFUND_TRANSITIONS: readonly {
  from: RefundStatus;
  to: RefundStatus;
  event?: EventType;
  by: readonly EventOperation[];
}[] = [
  { from: 'pending', to: 'succeeded', event: 'refund.succeeded', by: ['refund', 'query'] },
  { from: 'pending', to: 'failed', event: 'refund.failed', by: ['refund', 'query'] },
  { from: 'failed', to: 'pending', by: ['refund'] },
];

/** The event of a refund's move, or undefined when the table has no such move for `operation`. */
export function refundMove(
  from: RefundStatus | undefined,
  to: RefundStatus,
  operation: EventOperation,
): { event?: EventType } | undefined {
  // A refund first seen (no row yet) starts as an intent: `pending`.
  const start = from ?? 'pending';
  if (start === to) return {};
  return REFUND_TRANSITIONS.find((t) => t.from === start && t.to === to && t.by.includes(operation));
}

/**
 * The edges leading from `from` to `to` that `operation` may take, in order (shortest path);
 * `[]` when the status stays; undefined when the move is not allowed (backwards, or not this
 * operation's to make).
 */
export function pathOf(
  from: OrderStatus,
  to: OrderStatus,
  operation: EventOperation,
): readonly Transition[] | undefined {
  if (from === to) return [];
  const queue: { at: OrderStatus; path: Transition[] }[] = [{ at: from, path: [] }];
  const seen = new Set<OrderStatus>([from]);
  while (queue.length > 0) {
    const { at, path } = queue.shift()!;
    for (const t of ORDER_TRANSITIONS) {
      if (t.from !== at || seen.has(t.to) || !t.by.includes(operation)) continue;
      const next = [...path, t];
      if (t.to === to) return next;
      seen.add(t.to);
      queue.push({ at: t.to, path: next });
    }
  }
  return undefined;
}

/** Whether any operation may ever move an order from `from` to `to` (forward along the table). */
export function isForward(from: OrderStatus, to: OrderStatus): boolean {
  return ['create', 'query', 'notify', 'refund', 'cancel', 'close'].some(
    (op) => pathOf(from, to, op as EventOperation) !== undefined,
  );
}

/**
 * Where an observation moves an order: the observed status when the table allows it (with the
 * events of each edge on the way), else the recorded status, unchanged and eventless.
 */
export function advance(
  from: OrderStatus,
  observed: OrderStatus,
  operation: EventOperation,
): { status: OrderStatus; events: EventType[] } {
  const path = pathOf(from, observed, operation) ?? impliedPath(from, observed, operation);
  if (!path) return { status: from, events: [] };
  return { status: observed, events: path.flatMap((t) => (t.event ? [t.event] : [])) };
}

/**
 * A successful write proves the state it needs: a refund or cancel that succeeded upstream means
 * the order was paid, even when the notify has not arrived yet. The moves before the operation's
 * own edge are those a query could have observed.
 */
function impliedPath(
  from: OrderStatus,
  to: OrderStatus,
  operation: EventOperation,
): readonly Transition[] | undefined {
  if (operation === 'query' || operation === 'notify') return undefined;
  for (const last of ORDER_TRANSITIONS) {
    if (last.to !== to || !last.by.includes(operation)) continue;
    const before = pathOf(from, last.from, 'query');
    if (before) return [...before, last];
  }
  return undefined;
}

/**
 * The status a payment the aggregator reports moves an order to: `paid`, or `paid_after_close`
 * when the order had been closed, or canceled with no payment it could be the reversed one of.
 * `knownPayment` says whether the reported payment is the one already recorded (a late delivery of
 * the payment a cancel reversed: not new money).
 */
export function paymentStatusFor(current: OrderStatus, knownPayment: boolean): OrderStatus {
  if (current === 'closed') return 'paid_after_close';
  if (current === 'canceled' && !knownPayment) return 'paid_after_close';
  return 'paid';
}
