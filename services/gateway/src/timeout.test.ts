// No double charge: when the upstream does not answer, the gateway queries before anything else
// and answers honestly: the result when the query finds it, "unknown" (202) when it cannot tell.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite', upstreamTimeoutMs: 300 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sandbox.faults.clear();
});

const types = async (no: string) =>
  (await h.eventsFor(no)).map((e) => [e.type, e.data.operation, e.data.code]);

describe('create timeouts', () => {
  it('resolves a create that took effect upstream by querying it: 201, one order', async () => {
    const no = h.nextNo('to');
    await h.fault({ operation: 'create', timeout: true });
    const res = await h.post('/v1/payments', createBody(no));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ outTradeNo: no, status: 'pending' });
    expect(h.sandbox.state.orders.has(no)).toBe(true);
    expect(await types(no)).toEqual([['payment.created', 'query', '00']]);
  });

  it('answers 202 unknown when the query finds nothing yet, and a retry queries before creating', async () => {
    const no = h.nextNo('to');
    await h.fault({ operation: 'create', timeout: true, code: '-1', apply: false });
    const res = await h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ outTradeNo: no, status: 'unknown' });
    expect(h.sandbox.state.orders.has(no)).toBe(false);
    // Reading it meanwhile is just as honest: still unknown, not "does not exist".
    const read = await h.get(`/v1/payments/${no}`);
    expect(read.status).toBe(202);
    expect(read.body.status).toBe('unknown');

    // The key was given back (the outcome was not final), so the caller's retry runs again.
    const retry = await h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` });
    expect(retry.status).toBe(201);
    expect(h.sandbox.state.orders.has(no)).toBe(true);
    expect(await types(no)).toEqual([
      ['payment.pending', 'query', '31'],
      ['payment.query_failed', 'query', '31'],
      ['payment.created', 'create', '00'],
    ]);
  });

  it('gives an event with a null code when neither the create nor the query answers', async () => {
    const no = h.nextNo('to');
    await h.fault({ operation: 'create', timeout: true });
    await h.fault({ operation: 'query', timeout: true });
    const res = await h.post('/v1/payments', createBody(no));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('unknown');
    // Later the query works and the read reconciles: the order existed all along.
    const read = await h.get(`/v1/payments/${no}`);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('pending');
    expect(await types(no)).toEqual([
      ['payment.pending', 'create', null],
      ['payment.created', 'query', '00'],
    ]);
  });
});

describe('refund and cancel timeouts', () => {
  async function paidOrder() {
    const no = h.nextNo('to');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    expect((await h.pay(no)).status).toBe(200);
    return no;
  }

  it('resolves a refund that took effect by querying the refund: refunded once', async () => {
    const no = await paidOrder();
    await h.fault({ operation: 'refund', timeout: true });
    const res = await h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-r`, amount: '3.00' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', refundedAmount: '3.00' });
    expect(h.sandbox.state.orders.get(no)?.refunds).toHaveLength(1);
    expect((await types(no)).at(-1)).toEqual(['refund.succeeded', 'query', '00']);
  });

  it('answers 202 pending for a refund nobody can confirm, then refunds once on retry', async () => {
    const no = await paidOrder();
    await h.fault({ operation: 'refund', timeout: true, code: '-1', apply: false });
    const body = { refundNo: `${no}-r`, amount: '2.00' };
    const res = await h.post(`/v1/payments/${no}/refunds`, body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', outcome: 'unknown' });
    const retry = await h.post(`/v1/payments/${no}/refunds`, body);
    expect(retry.status).toBe(201);
    expect(h.sandbox.state.orders.get(no)?.refunds).toHaveLength(1);
    expect((await types(no)).slice(-2)).toEqual([
      ['refund.pending', 'query', '05'],
      ['refund.succeeded', 'refund', '00'],
    ]);
  });

  it('resolves a cancel by querying the order', async () => {
    const no = await paidOrder();
    await h.fault({ operation: 'cancel', timeout: true });
    const res = await h.post(`/v1/payments/${no}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('canceled');
    expect((await types(no)).at(-1)).toEqual(['payment.canceled', 'query', '00']);
  });
});
