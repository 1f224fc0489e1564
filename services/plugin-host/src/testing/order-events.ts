import { makeEvents } from '@paystream/bus/testing';
import type { TypedEvent } from '@paystream/plugin-sdk';

/**
 * What the gateway emits for one order, sequences 1..n: created, succeeded, and a refund when
 * `refundMinor` is given (10.00 HKD on WECHATHK unless told otherwise).
 */
export function orderEvents(
  outTradeNo: string,
  o: { amountMinor?: number; refundMinor?: number } = {},
): TypedEvent[] {
  const data = {
    outTradeNo,
    amountMinor: o.amountMinor ?? 1000,
    currency: 'HKD' as const,
    wallet: 'WECHATHK' as const,
  };
  const one = (
    type: 'payment.created' | 'payment.succeeded' | 'refund.succeeded',
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
  return [
    one('payment.created', 1),
    one('payment.succeeded', 2),
    ...(o.refundMinor
      ? [
          one('refund.succeeded', 3, {
            refundNo: 'R1',
            refundAmountMinor: o.refundMinor,
            refundedTotalMinor: o.refundMinor,
          }),
        ]
      : []),
  ];
}
