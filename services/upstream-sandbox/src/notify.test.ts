// The notify callback: signed, verified by verifyNotification, retried until the receiver says 2xx.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyNotification } from '@paystream/upstream-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents, type Harness, startHarness } from './__fixtures__/harness.js';
import { SANDBOX_DEV_CREDENTIALS } from './app.js';

let h: Harness;
let receiver: Server;
let notifyUrl: string;
const received: string[] = [];
/** Status codes the receiver answers with, in order; 200 once exhausted. */
let answers: number[] = [];

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

beforeAll(async () => {
  h = await startHarness();
  receiver = createServer(async (req, res) => {
    received.push(await readBody(req));
    res.statusCode = answers.shift() ?? 200;
    res.end();
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
});
afterAll(async () => {
  receiver.close();
  await h.close();
});

async function orderWithNotify() {
  const outTradeNo = h.nextNo('notify');
  const r = await h.client.createPayment({
    outTradeNo,
    amount: cents(888),
    currency: 'CNY',
    wallet: 'ALIPAYCN',
    notifyUrl,
  });
  expect(r.outcome).toBe('success');
  return outTradeNo;
}

describe('notify callback', () => {
  it('sends a signed callback when the order is paid, which verifyNotification accepts', async () => {
    received.length = 0;
    const no = await orderWithNotify();
    const res = await h.pay(no, {});
    expect(res.status).toBe(200);
    expect(res.body.notify?.status).toBe(200);
    expect(received).toHaveLength(1);
    const verified = verifyNotification(received[0]!, SANDBOX_DEV_CREDENTIALS);
    expect(verified).toMatchObject({
      ok: true,
      notification: { outTradeNo: no, status: 'paid', amount: 888, currency: 'CNY', wallet: 'ALIPAYCN' },
    });
    // The query agrees with the callback.
    const query = await h.client.queryPayment({ outTradeNo: no });
    expect(query.outcome === 'success' && query.data.status).toBe('paid');
  });

  it('rejects a tampered callback (10), a wrong key (10), a replay from the past (12), garbage (-13)', () => {
    const no = 'tamper';
    const body = received[0]!;
    const tampered = body.replace('"8.88"', '"888.00"');
    expect(verifyNotification(tampered, SANDBOX_DEV_CREDENTIALS)).toMatchObject({ ok: false, code: '10' });
    expect(verifyNotification(body, { ...SANDBOX_DEV_CREDENTIALS, privateKey: 'other' })).toMatchObject({
      ok: false,
      code: '10',
    });
    const later = new Date(Date.now() + 3600_000);
    expect(verifyNotification(body, SANDBOX_DEV_CREDENTIALS, { now: later })).toMatchObject({
      ok: false,
      code: '12',
    });
    expect(verifyNotification(`{${no}`, SANDBOX_DEV_CREDENTIALS)).toMatchObject({ ok: false, code: '-13' });
  });

  it.each([
    ['10', '10'],
    ['12', '12'],
    ['13', '13'],
    ['-13', '-13'],
  ] as const)('a notify fault %s spoils the callback so verification answers %s', async (code, expected) => {
    received.length = 0;
    const no = await orderWithNotify();
    await h.fault({ operation: 'notify', code });
    expect((await h.pay(no, {})).status).toBe(200);
    expect(verifyNotification(received[0]!, SANDBOX_DEV_CREDENTIALS)).toMatchObject({
      ok: false,
      code: expected,
    });
  });

  it('retries with backoff until the receiver answers 2xx, and records every attempt', async () => {
    received.length = 0;
    answers = [500, 503];
    const no = await orderWithNotify();
    const res = await h.pay(no, {});
    expect(res.body.notify?.status).toBe(500);
    await expect.poll(() => received.length, { timeout: 2000 }).toBe(3);
    const ids = received.map((b) => (JSON.parse(b) as { notify_id: string }).notify_id);
    expect(new Set(ids).size).toBe(1);
    const order = (await (await fetch(`${h.sandbox.url}/__sandbox/orders/${no}`)).json()) as {
      notify_attempts: { status: number }[];
    };
    await expect
      .poll(async () => {
        const o = (await (await fetch(`${h.sandbox.url}/__sandbox/orders/${no}`)).json()) as typeof order;
        return o.notify_attempts.map((a) => a.status);
      })
      .toEqual([500, 503, 200]);
  });

  it('refuses to pay an order twice (409) or an unknown one (404)', async () => {
    const no = await h.createOrder();
    expect((await h.pay(no)).status).toBe(200);
    expect((await h.pay(no)).status).toBe(409);
    expect((await h.pay('nope')).status).toBe(404);
  });
});
