import { createEvent, type EventType, type PaymentEventData, type PaystreamEvent } from '@paystream/events';
import type { Order } from '../store/orders.js';

type Operation = PaymentEventData['operation'];

/** What one event says, before the order's data and sequence are filled in. */
export interface EventSpec {
  type: EventType;
  operation: Operation;
  code: string | null;
  category: string;
  message?: string;
  refund?: { refundNo: string; amountMinor: number };
}

/** Builds the CloudEvents for an order; `createEvent` takes the traceparent from the active span. */
export function buildEvents(
  order: Order,
  specs: readonly EventSpec[],
  firstSequence: number,
  opts: { source: string; occurredAt: string },
): PaystreamEvent[] {
  return specs.map((spec, i) => {
    const data: PaymentEventData = {
      outTradeNo: order.out_trade_no,
      sequence: firstSequence + i,
      operation: spec.operation,
      code: spec.code,
      category: spec.category,
      ...(spec.message ? { message: spec.message } : {}),
      amountMinor: order.amount_minor,
      currency: order.currency,
      wallet: order.wallet,
      ...(spec.refund
        ? {
            refundNo: spec.refund.refundNo,
            refundAmountMinor: spec.refund.amountMinor,
            refundedTotalMinor: order.refunded_minor,
          }
        : {}),
      ...(order.upstream_trade_no ? { upstreamTradeNo: order.upstream_trade_no } : {}),
      caller: order.caller,
      ...(order.metadata ? { metadata: JSON.parse(order.metadata) as Record<string, string> } : {}),
      occurredAt: opts.occurredAt,
    };
    return createEvent(spec.type, data, { source: opts.source });
  });
}
