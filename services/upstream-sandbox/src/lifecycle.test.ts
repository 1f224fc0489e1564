import { type Currency, type MinorUnits, minorUnits } from '@paystream/money';
import { createUpstreamClient, type UpstreamClient } from '@paystream/upstream-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSandbox, SANDBOX_DEV_CREDENTIALS, startSandbox } from './index.js';

let sandbox: RunningSandbox;
let client: UpstreamClient;
const HKD: Currency = 'HKD';
const cents = (n: number): MinorUnits => minorUnits(n);

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  client = createUpstreamClient({
    baseUrl: sandbox.url,
    credentials: SANDBOX_DEV_CREDENTIALS,
    timeoutMs: 2000,
  });
});
afterAll(async () => {
  await client.destroy();
  await sandbox.close();
});

async function pay(outTradeNo: string) {
  const res = await fetch(`${sandbox.url}/__sandbox/orders/${outTradeNo}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ notify: false }),
  });
  expect(res.status).toBe(200);
}

describe('order lifecycle through the client', () => {
  it('creates, pays, partially refunds, refunds the rest, and queries every step', async () => {
    const created = await client.createPayment({
      outTradeNo: 'life-1',
      amount: cents(1234),
      currency: HKD,
      wallet: 'ALIPAYCN',
      notifyUrl: 'http://127.0.0.1:1/notify',
      description: 'coffee',
    });
    expect(created).toMatchObject({ outcome: 'success', code: '00' });
    if (created.outcome !== 'success') return;
    expect(created.data).toMatchObject({
      outTradeNo: 'life-1',
      amount: 1234,
      currency: 'HKD',
      wallet: 'ALIPAYCN',
    });
    expect(created.data.qrCodeUrl).toContain(created.data.upstreamTradeNo);

    let state = await client.queryPayment({ outTradeNo: 'life-1' });
    expect(state.outcome === 'success' && state.data.status).toBe('pending');

    await pay('life-1');
    const partial = await client.refundPayment({
      outTradeNo: 'life-1',
      refundNo: 'r1',
      amount: cents(234),
      currency: HKD,
    });
    expect(partial.outcome === 'success' && partial.data.refundedAmount).toBe(234);
    state = await client.queryPayment({ outTradeNo: 'life-1', wallet: 'ALIPAYCN' });
    expect(state.outcome === 'success' && state.data.status).toBe('partially_refunded');

    const rest = await client.refundPayment({
      outTradeNo: 'life-1',
      refundNo: 'r2',
      amount: cents(1000),
      currency: HKD,
      orderAmount: cents(1234),
    });
    expect(rest.outcome === 'success' && rest.data.refundedAmount).toBe(1234);
    state = await client.queryPayment({ outTradeNo: 'life-1' });
    expect(state.outcome === 'success' && state.data).toMatchObject({
      status: 'refunded',
      refundedAmount: 1234,
      refunds: [
        { refundNo: 'r1', amount: 234 },
        { refundNo: 'r2', amount: 1000 },
      ],
    });
    const one = await client.queryRefund({ outTradeNo: 'life-1', refundNo: 'r1' });
    expect(one.outcome === 'success' && one.data.amount).toBe(234);
  });

  it('cancels a paid order in full and closes an unpaid one', async () => {
    for (const no of ['life-2', 'life-3']) {
      const r = await client.createPayment({
        outTradeNo: no,
        amount: cents(500),
        currency: 'CNY',
        wallet: 'WECHATCN',
        notifyUrl: 'http://127.0.0.1:1/n',
      });
      expect(r.outcome).toBe('success');
    }
    await pay('life-2');
    const canceled = await client.cancelPayment({ outTradeNo: 'life-2' });
    expect(canceled.outcome === 'success' && canceled.data.reversedAmount).toBe(500);
    const closed = await client.closePayment({ outTradeNo: 'life-3' });
    expect(closed.outcome).toBe('success');
    const state = await client.queryPayment({ outTradeNo: 'life-3' });
    expect(state.outcome === 'success' && state.data.status).toBe('closed');
  });

  it('pays a closed order only when asked for a late payment, and then shows it paid', async () => {
    const r = await client.createPayment({
      outTradeNo: 'life-late',
      amount: cents(700),
      currency: HKD,
      wallet: 'WECHATHK',
      notifyUrl: 'http://127.0.0.1:1/n',
    });
    expect(r.outcome).toBe('success');
    expect((await client.closePayment({ outTradeNo: 'life-late' })).outcome).toBe('success');
    const late = (body: object) =>
      fetch(`${sandbox.url}/__sandbox/orders/life-late/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ notify: false, ...body }),
      });
    expect((await late({})).status).toBe(409);
    expect((await late({ late: true })).status).toBe(200);
    expect((await late({ late: true })).status).toBe(409);
    const state = await client.queryPayment({ outTradeNo: 'life-late' });
    expect(state.outcome === 'success' && state.data.status).toBe('paid');
    expect(state.outcome === 'success' && state.data.paidAt).toBeTruthy();
  });
});
