// The one HTTP adapter for outcomes: which status and body each domain outcome is answered with.
import type { AnswerOf } from '@paystream/http-kit';
import type { PaymentOutcome, RefundOutcome } from '../payments/outcomes.js';
import type { cancelPayment, createPayment, getPayment, refundPayment } from './table.js';

export function createAnswer(o: PaymentOutcome): AnswerOf<typeof createPayment> {
  switch (o.kind) {
    case 'created':
      return { status: 201, body: o.payment };
    case 'unknown':
      return { status: 202, body: { ...o.payment, detail: o.detail } };
    default:
      return { status: 200, body: o.payment };
  }
}

export function readAnswer(o: PaymentOutcome): AnswerOf<typeof getPayment> {
  switch (o.kind) {
    case 'unknown':
      return { status: 202, body: { ...o.payment, detail: o.detail } };
    case 'stale':
      return {
        status: 200,
        body: {
          ...o.payment,
          stale: true,
          ...(o.queryCode !== undefined ? { queryCode: o.queryCode } : {}),
          detail: o.detail,
        },
      };
    default:
      return { status: 200, body: o.payment };
  }
}

/** Cancel and close: done (whoever did it) or unknown, never "created". */
export function endAnswer(o: PaymentOutcome): AnswerOf<typeof cancelPayment> {
  if (o.kind === 'unknown')
    return { status: 202, body: { ...o.payment, outcome: 'unknown', detail: o.detail } };
  return { status: 200, body: o.payment };
}

export function refundAnswer(o: RefundOutcome): AnswerOf<typeof refundPayment> {
  switch (o.kind) {
    case 'created':
      return { status: 201, body: o.refund };
    case 'unknown':
      return { status: 202, body: { ...o.refund, outcome: 'unknown', detail: o.detail } };
    default:
      return { status: 200, body: o.refund };
  }
}
