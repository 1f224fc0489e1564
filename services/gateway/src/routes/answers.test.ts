// The HTTP adapter: each outcome's status and body, and bodies the route table's schemas accept
// as they are (strictly: no field the table does not list). The `@ts-expect-error` lines fail the
// typecheck if an answer with a field or status absent from the table ever compiles.
import type { AnswerOf } from '@paystream/http-kit';
import { describe, expect, it } from 'vitest';
import type { PaymentView, RefundView } from '../payments/views.js';
import { createAnswer, endAnswer, readAnswer, refundAnswer } from './answers.js';
import { cancelPayment, createPayment, getPayment, refundPayment } from './table.js';

const payment: PaymentView = {
  outTradeNo: 'order-1',
  status: 'pending',
  amount: '12.34',
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundedAmount: '0.00',
  createdAt: 'now',
  updatedAt: 'now',
  refunds: [],
};
const refund: RefundView = {
  outTradeNo: 'order-1',
  refundNo: 'r1',
  status: 'pending',
  amount: '1.00',
  currency: 'HKD',
  refundedAmount: '0.00',
};

/** The body parses with its response schema, made strict: every field it has is documented. */
function documented(route: { responses: object }, answer: { status: number; body: unknown }) {
  const spec = (
    route.responses as Record<number, { schema: { strict?: () => { parse(v: unknown): unknown } } }>
  )[answer.status];
  expect(spec, `status ${answer.status}`).toBeDefined();
  expect(() => spec!.schema.strict!().parse(answer.body)).not.toThrow();
}

describe('the outcome adapter', () => {
  it('answers a create: created 201, current 200, unknown 202 with its detail', () => {
    const created = createAnswer({ kind: 'created', payment });
    const unknown = createAnswer({ kind: 'unknown', payment, detail: 'why' });
    expect(created.status).toBe(201);
    expect(createAnswer({ kind: 'current', payment }).status).toBe(200);
    expect(unknown).toEqual({ status: 202, body: { ...payment, detail: 'why' } });
    for (const a of [created, unknown]) documented(createPayment, a);
  });

  it('answers a read: stale is a 200 carrying stale, queryCode and detail', () => {
    const stale = readAnswer({ kind: 'stale', payment, detail: 'query answered 31', queryCode: '31' });
    expect(stale).toEqual({
      status: 200,
      body: { ...payment, stale: true, queryCode: '31', detail: 'query answered 31' },
    });
    documented(getPayment, stale);
    expect(readAnswer({ kind: 'stale', payment, detail: 'query had no answer' }).body).not.toHaveProperty(
      'queryCode',
    );
    documented(getPayment, readAnswer({ kind: 'unknown', payment, detail: 'not yet' }));
  });

  it('answers a cancel or close whose outcome is unknown with outcome "unknown"', () => {
    const unknown = endAnswer({ kind: 'unknown', payment, detail: 'cancel timed out' });
    expect(unknown).toEqual({
      status: 202,
      body: { ...payment, outcome: 'unknown', detail: 'cancel timed out' },
    });
    documented(cancelPayment, unknown);
    expect(endAnswer({ kind: 'current', payment }).status).toBe(200);
  });

  it('answers a refund: created 201, current 200, unknown 202', () => {
    expect(refundAnswer({ kind: 'created', refund }).status).toBe(201);
    expect(refundAnswer({ kind: 'current', refund }).status).toBe(200);
    const unknown = refundAnswer({ kind: 'unknown', refund, detail: 'why' });
    expect(unknown.status).toBe(202);
    documented(refundPayment, unknown);
  });
});

describe('answers are typed by the route table', () => {
  it('refuses fields and statuses the table does not list', () => {
    // @ts-expect-error a field the Payment schema does not have
    const extra: AnswerOf<typeof getPayment> = { status: 200, body: { ...payment, upstreamSecret: 'x' } };
    // @ts-expect-error a read never answers 201
    const created: AnswerOf<typeof getPayment> = { status: 201, body: payment };
    // @ts-expect-error a cancel's 202 must say its outcome is unknown
    const silent: AnswerOf<typeof cancelPayment> = { status: 202, body: { ...payment, detail: 'why' } };
    expect([extra, created, silent]).toHaveLength(3);
  });
});
