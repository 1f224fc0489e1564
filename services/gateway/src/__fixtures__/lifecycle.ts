import { expect } from 'vitest';
import { createBody, type Harness } from './harness.js';

/**
 * The full life of an order through the gateway, checked on the HTTP answers and on the bus:
 * create → the customer pays in the sandbox → notify → query → partial refund → a refund over
 * the rest fails with 18.
 */
export async function runLifecycle(h: Harness): Promise<void> {
  const no = h.nextNo('life');
  const created = await h.post('/v1/payments', createBody(no, { metadata: { cart: 'c-1' } }), {
    'idempotency-key': `${no}-create`,
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ outTradeNo: no, status: 'pending', amount: '10.00', currency: 'HKD' });
  expect(created.body.payUrl).toEqual(expect.any(String));

  const paid = await h.pay(no);
  expect(paid.status).toBe(200);
  expect(paid.body.notify?.status).toBe(200);

  const read = await h.get(`/v1/payments/${no}`);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ status: 'paid', refundedAmount: '0.00' });

  const partial = await h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-r1`, amount: '6.00' });
  expect(partial.status).toBe(201);
  expect(partial.body).toMatchObject({
    refundNo: `${no}-r1`,
    status: 'succeeded',
    amount: '6.00',
    refundedAmount: '6.00',
  });

  const over = await h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-r2`, amount: '4.01' });
  expect(over.headers['content-type']).toContain('application/problem+json');
  // Code 18 is a refund rule the caller broke (the catalog's 422), not an outage to retry.
  expect(over.status).toBe(422);
  expect(over.body).toMatchObject({ code: '18', status: 422, category: 'refund_rule' });

  const after = await h.get(`/v1/payments/${no}`);
  expect(after.body).toMatchObject({ status: 'partially_refunded', refundedAmount: '6.00' });

  const events = await h.eventsFor(no);
  expect(events.map((e) => [e.type, e.data.operation, e.data.code])).toEqual([
    ['payment.created', 'create', '00'],
    ['payment.succeeded', 'notify', '00'],
    ['refund.succeeded', 'refund', '00'],
    ['refund.failed', 'refund', '18'],
  ]);
  expect(events.map((e) => e.data.sequence)).toEqual([1, 2, 3, 4]);
  expect(events[2]?.data).toMatchObject({
    refundNo: `${no}-r1`,
    refundAmountMinor: 600,
    refundedTotalMinor: 600,
  });
  expect(events[3]?.data).toMatchObject({ refundNo: `${no}-r2`, refundAmountMinor: 401 });
  for (const e of events) {
    expect(e.data).toMatchObject({
      amountMinor: 1000,
      currency: 'HKD',
      wallet: 'WECHATHK',
      metadata: { cart: 'c-1' },
    });
    expect(e.subject).toBe(no);
  }
}
