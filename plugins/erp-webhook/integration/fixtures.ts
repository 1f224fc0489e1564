import { makeEvents, runId } from '@paystream/plugin-host/testing';
import type { TypedEvent } from '@paystream/plugin-sdk';

export const SECRET_BYTES = Buffer.from('erp-test-secret-0123456789abcdef');
export const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;

/** created → succeeded (10.00 HKD) → refund.succeeded (3.00): what the gateway emits for the order. */
export function paidAndPartlyRefunded(outTradeNo = `ord-${runId()}`): TypedEvent[] {
  const base = { outTradeNo, amountMinor: 1000, currency: 'HKD' as const, wallet: 'WECHATHK' as const };
  const one = (
    type: 'payment.created' | 'payment.succeeded' | 'refund.succeeded',
    sequence: number,
    extra = {},
  ) => {
    const [e] = makeEvents({
      type,
      prefix: `${outTradeNo}.${sequence}`,
      data: { ...base, sequence, ...extra },
    });
    return { ...e!, subject: outTradeNo } as TypedEvent;
  };
  return [
    one('payment.created', 1),
    one('payment.succeeded', 2),
    one('refund.succeeded', 3, { refundNo: 'R1', refundAmountMinor: 300, refundedTotalMinor: 300 }),
  ];
}
