// No double charge: a create that times out is "unknown", and the follow-up query resolves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents, type Harness, startHarness } from './__fixtures__/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { timeoutMs: 200 });
});
afterAll(async () => {
  await h.close();
});

const input = (outTradeNo: string) =>
  ({
    outTradeNo,
    amount: cents(4321),
    currency: 'HKD',
    wallet: 'WECHATHK',
    notifyUrl: 'http://127.0.0.1:9/n',
  }) as const;

describe('unknown outcome', () => {
  it('reports a silent create as unknown/timeout, and the query shows the order was created', async () => {
    const no = h.nextNo('timeout');
    await h.fault({ operation: 'create', timeout: true });
    const created = await h.client.createPayment(input(no));
    expect(created).toMatchObject({ outcome: 'unknown', reason: 'timeout' });

    const query = await h.client.queryPayment({ outTradeNo: no });
    expect(query.outcome).toBe('success');
    if (query.outcome === 'success') expect(query.data).toMatchObject({ status: 'pending', amount: 4321 });
    // Retrying the create now would be refused as a duplicate: the query is what resolves it.
    expect(await h.client.createPayment(input(no))).toMatchObject({ outcome: 'rejected', code: '03' });
  });

  it('reports a slow create as unknown/timeout too, and the late order is there once it lands', async () => {
    const no = h.nextNo('slow');
    await h.fault({ operation: 'create', delayMs: 400 });
    expect(await h.client.createPayment(input(no))).toMatchObject({ outcome: 'unknown', reason: 'timeout' });
    await new Promise((r) => setTimeout(r, 300));
    const query = await h.client.queryPayment({ outTradeNo: no });
    expect(query.outcome === 'success' && query.data.status).toBe('pending');
  });

  it('a query after a timeout that never reached the rules finds nothing (31): safe to retry', async () => {
    const no = h.nextNo('lost');
    await h.fault({ operation: 'create', code: '-1', timeout: true });
    expect((await h.client.createPayment(input(no))).outcome).toBe('unknown');
    expect(await h.client.queryPayment({ outTradeNo: no })).toMatchObject({ code: '31' });
    expect((await h.client.createPayment(input(no))).outcome).toBe('success');
  });

  it('a refund answered 52 was still done: the refund query finds it', async () => {
    const no = await h.createOrder({ amount: 1000 });
    await h.pay(no);
    await h.fault({ operation: 'refund', code: '52' });
    const refund = await h.client.refundPayment({
      outTradeNo: no,
      refundNo: `${no}-r`,
      amount: cents(300),
      currency: 'HKD',
    });
    expect(refund).toMatchObject({ outcome: 'rejected', code: '52' });
    const found = await h.client.queryRefund({ outTradeNo: no, refundNo: `${no}-r` });
    expect(found.outcome === 'success' && found.data.amount).toBe(300);
  });

  it('reports a refused connection as unknown/network', async () => {
    const port = h.sandbox.port;
    const other = await startHarness();
    await other.sandbox.close();
    const client = h.clientWith(
      { userConfirmKey: 'k', privateKey: 'p' },
      { baseUrl: `http://127.0.0.1:${other.sandbox.port}` },
    );
    expect(port).not.toBe(other.sandbox.port);
    expect(await client.queryPayment({ outTradeNo: 'x' })).toMatchObject({
      outcome: 'unknown',
      reason: 'network',
    });
  });
});
