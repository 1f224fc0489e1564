import { makeEvents } from '@paystream/bus/testing';
import type { TypedEvent } from '@paystream/plugin-sdk';

/** Options of {@link orderEvents}. */
export interface OrderEventsOptions {
  /** Default 1000 (10.00 HKD). */
  amountMinor?: number;
  /** Adds a refund of this amount after the payment. */
  refundMinor?: number;
  /**
   * Puts a declined attempt (`refund.failed`, code 64) before the refund that succeeds: a type the
   * ledger does not subscribe to, taking a sequence number of the order all the same.
   */
  refundFailsFirst?: boolean;
}

/**
 * What the gateway emits for one order, sequences 1..n: created, succeeded, and a refund when
 * `refundMinor` is given (10.00 HKD on WECHATHK unless told otherwise), optionally declined once
 * before it succeeds.
 */
export function orderEvents(outTradeNo: string, o: OrderEventsOptions = {}): TypedEvent[] {
  const data = {
    outTradeNo,
    amountMinor: o.amountMinor ?? 1000,
    currency: 'HKD' as const,
    wallet: 'WECHATHK' as const,
  };
  const one = (
    type: 'payment.created' | 'payment.succeeded' | 'refund.failed' | 'refund.succeeded',
    sequence: number,
    extra = {},
  ) => {
    const [e] = makeEvents({
      type,
      prefix: `${outTradeNo}.${sequence}`,
      data: { ...data, sequence, ...extra },
    });
    return { ...e!, subject: outTradeNo } as TypedEvent;
  };
  const events = [one('payment.created', 1), one('payment.succeeded', 2)];
  if (o.refundMinor) {
    const refund = { refundNo: 'R1', refundAmountMinor: o.refundMinor };
    if (o.refundFailsFirst) events.push(one('refund.failed', 3, { ...refund, refundedTotalMinor: 0 }));
    events.push(one('refund.succeeded', events.length + 1, { ...refund, refundedTotalMinor: o.refundMinor }));
  }
  return events;
}
