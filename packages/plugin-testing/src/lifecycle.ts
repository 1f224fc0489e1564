// What the gateway emits for one order as it goes through a lifecycle: sequences 1..n over every
// event type (the ledger's and the others), the caller the gateway authenticated on each.
import { makeEvents } from '@paystream/bus/testing';
import type { EventType, TypedEvent } from '@paystream/plugin-sdk';

/** One step: an event type, or a refund (succeeded, or declined with a code). */
export type Step =
  | 'payment.created'
  | 'payment.succeeded'
  | 'payment.canceled'
  | 'payment.cancel_failed'
  | 'payment.closed'
  | 'payment.paid_after_close'
  | { refund: string; amountMinor: number; declined?: boolean };

/** Order attributes (defaults: 10.00 HKD on WECHATHK, no caller). */
export interface OrderAttributes {
  amountMinor?: number;
  currency?: 'HKD' | 'CNY';
  wallet?: 'WECHATHK' | 'ALIPAYCN' | 'ALIPAYHK' | 'WECHATCN';
  caller?: string;
  metadata?: Record<string, string>;
}

const OPERATION = {
  'payment.created': 'create',
  'payment.succeeded': 'notify',
  'payment.canceled': 'cancel',
  'payment.cancel_failed': 'cancel',
  'payment.closed': 'close',
  'payment.paid_after_close': 'notify',
} as const;

/** The events of `steps`, in order, with gapless sequences and ids `<outTradeNo>.<sequence>`. */
export function lifecycle(outTradeNo: string, steps: readonly Step[], o: OrderAttributes = {}): TypedEvent[] {
  let refunded = 0;
  return steps.map((step, i) => {
    const sequence = i + 1;
    const order = {
      outTradeNo,
      sequence,
      amountMinor: o.amountMinor ?? 1000,
      currency: o.currency ?? 'HKD',
      wallet: o.wallet ?? 'WECHATHK',
      ...(o.caller !== undefined ? { caller: o.caller } : {}),
      ...(o.metadata ? { metadata: o.metadata } : {}),
    };
    let type: EventType;
    let data: Record<string, unknown>;
    if (typeof step === 'string') {
      type = step;
      const failed = step === 'payment.cancel_failed';
      data = {
        operation: OPERATION[step],
        code: failed ? '64' : '00',
        category: failed ? 'balance' : 'success',
      };
    } else {
      if (!step.declined) refunded += step.amountMinor;
      type = step.declined ? 'refund.failed' : 'refund.succeeded';
      data = {
        operation: 'refund',
        code: step.declined ? '64' : '00',
        category: step.declined ? 'balance' : 'success',
        refundNo: step.refund,
        refundAmountMinor: step.amountMinor,
        refundedTotalMinor: refunded,
      };
    }
    const [e] = makeEvents({ type, prefix: `${outTradeNo}.${sequence}`, data: { ...order, ...data } });
    return { ...e!, id: `${outTradeNo}.${sequence}`, subject: outTradeNo } as TypedEvent;
  });
}
