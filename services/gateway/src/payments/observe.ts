import type { EventOperation, EventType } from '@paystream/events';
import type { PaymentState } from '@paystream/upstream-client';
import type { Order } from '../store/orders.js';
import type { OrderIntent, OrderStatus } from '../store/schema.js';
import type { EventSpec } from './events.js';
import type { ChangeOf } from './recorder.js';
import { advance, paymentStatusFor } from './state-machine.js';

/** The success events of the table's transitions, as observed by `operation`. */
export function transitionSpecs(events: readonly EventType[], operation: EventOperation): EventSpec[] {
  return events.map((type) => ({ type, operation, code: '00', category: 'success' }));
}

/** Whether an intent is still open once the order is in `status`. */
export function intentOpen(intent: OrderIntent | null, status: OrderStatus): boolean {
  if (intent === 'create') return status === 'unknown';
  if (intent === 'cancel') return status !== 'canceled';
  if (intent === 'close') return status !== 'closed';
  return false;
}

/** An order moved to `observed` by `operation`, forward-only along the table, with the table's events. */
export function moveOrder(
  order: Order,
  observed: OrderStatus,
  operation: EventOperation,
  now: string,
): { order: Order; events: EventSpec[] } {
  const { status, events } = advance(order.status, observed, operation);
  const open = intentOpen(order.intent, status);
  return {
    order: {
      ...order,
      status,
      intent: open ? order.intent : null,
      intent_at: open ? order.intent_at : null,
      updated_at: now,
    },
    events: transitionSpecs(events, operation),
  };
}

/**
 * What an upstream view of the order changes in its record. A lagging view (an older status, a
 * smaller refunded total) changes nothing: the record only moves forward.
 */
export function observeState(
  order: Order,
  state: PaymentState,
  operation: EventOperation,
  now: string,
): { order: Order; events: EventSpec[]; changed: boolean } {
  const reported = state.status;
  // A query can show a payment on an order recorded as closed: money arrived after the close.
  const target = reported === 'paid' ? paymentStatusFor(order.status, true) : reported;
  const moved = moveOrder(order, target, operation, now);
  const next: Order = {
    ...moved.order,
    upstream_trade_no: order.upstream_trade_no ?? state.upstreamTradeNo,
    refunded_minor: Math.max(order.refunded_minor, state.refundedAmount),
    paid_at: order.paid_at ?? state.paidAt ?? null,
    last_code: order.status === moved.order.status ? order.last_code : '00',
    query_code: operation === 'query' ? '00' : order.query_code,
  };
  const changed =
    moved.events.length > 0 ||
    next.status !== order.status ||
    next.refunded_minor !== order.refunded_minor ||
    next.upstream_trade_no !== order.upstream_trade_no ||
    next.paid_at !== order.paid_at ||
    next.intent !== order.intent ||
    next.query_code !== order.query_code;
  return { order: changed ? next : order, events: moved.events, changed };
}

/** {@link observeState} as a change of the order as it is: null when the view changes nothing. */
export function observed(state: PaymentState, operation: EventOperation, now: string): ChangeOf {
  return ({ order }) => {
    const seen = observeState(order, state, operation, now);
    return seen.changed ? { order: seen.order, events: seen.events } : null;
  };
}
