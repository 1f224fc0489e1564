// The gateway's state machine, imported (never copied) from @paystream/gateway, and what the
// checker derives from it: which statuses an order can reach without an event (a create retried
// after a failure, a refund moving the status), and whether one status lies behind another.
import {
  ORDER_TRANSITIONS,
  type OrderStatus,
  REFUND_TRANSITIONS,
  type RefundStatus,
} from '@paystream/gateway';

/** The event types that stand for an order transition. */
export const TRANSITION_EVENTS: ReadonlySet<string> = new Set(
  ORDER_TRANSITIONS.flatMap((t) => (t.event ? [t.event] : [])),
);

/** The event types that stand for a refund transition. */
export const REFUND_EVENTS: ReadonlySet<string> = new Set(
  REFUND_TRANSITIONS.flatMap((t) => (t.event ? [t.event] : [])),
);

function closure<S extends string>(from: S, edges: readonly { from: S; to: S }[]): Set<S> {
  const seen = new Set<S>([from]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const t of edges) {
      if (t.from === at && !seen.has(t.to)) {
        seen.add(t.to);
        queue.push(t.to);
      }
    }
  }
  return seen;
}

const silentOrderEdges = ORDER_TRANSITIONS.filter((t) => !t.event);
const silentRefundEdges = REFUND_TRANSITIONS.filter((t) => !t.event);

/** The statuses an order in `from` can be in without any event (itself included). */
export function silentlyReachable(from: OrderStatus): Set<OrderStatus> {
  return closure(from, silentOrderEdges);
}

/** Whether any sequence of transitions leads from `from` to `to` (or they are the same). */
export function reaches(from: OrderStatus, to: OrderStatus): boolean {
  return closure(from, ORDER_TRANSITIONS).has(to);
}

/** The transitions an event of `type` may take from `status` (after eventless moves). */
export function transitionsFor(status: OrderStatus, type: string) {
  const from = silentlyReachable(status);
  return ORDER_TRANSITIONS.filter((t) => t.event === type && from.has(t.from));
}

/** Whether the machine has any transition for `type` whose start is behind `status`. */
export function startsBehind(status: OrderStatus, type: string): boolean {
  return ORDER_TRANSITIONS.some((t) => t.event === type && t.from !== status && reaches(t.from, status));
}

/** The refund transition an event of `type` takes from `status` (after eventless moves), if any. */
export function refundTransitionFor(status: RefundStatus, type: string) {
  const from = closure(status, silentRefundEdges);
  return REFUND_TRANSITIONS.find((t) => t.event === type && from.has(t.from));
}

/** Statuses in which an order holds money a refund can give back. */
export const REFUNDABLE: ReadonlySet<OrderStatus> = new Set(
  ORDER_TRANSITIONS.filter((t) => t.to === 'refunded').map((t) => t.from),
);

export type { OrderStatus, RefundStatus };
