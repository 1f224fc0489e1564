// The controls that let gateway suites play an unreliable aggregator: a lagging query, a lost
// order, a redelivered notify.
import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents, type Harness, startHarness } from './__fixtures__/harness.js';
import { sandboxControls } from './control-client.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const controls = () => sandboxControls(h.sandbox.url);

describe('replay controls', () => {
  it('lag: the next queries answer the order as created, then the truth again', async () => {
    const no = await h.createOrder();
    await h.pay(no);
    await controls().lagQueries(no, 2);
    for (let i = 0; i < 2; i += 1) {
      const lagging = await h.client.queryPayment({ outTradeNo: no });
      expect(lagging).toMatchObject({ outcome: 'success', data: { status: 'pending', refundedAmount: 0 } });
    }
    expect(await h.client.queryPayment({ outTradeNo: no })).toMatchObject({ data: { status: 'paid' } });
    expect(h.sandbox.state.orders.get(no)?.status).toBe('PAID');
  });

  it('forget: the order and its refund numbers are gone, queries answer 31', async () => {
    const no = await h.createOrder();
    await h.pay(no);
    await controls().forget(no);
    expect(await h.client.queryPayment({ outTradeNo: no })).toMatchObject({
      outcome: 'rejected',
      code: '31',
    });
    expect(await controls().order(no)).toBeUndefined();
    await expect(controls().forget(no)).rejects.toThrow('404');
  });

  it('notify redelivery: the same notify_id again, one attempt', async () => {
    const bodies: string[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end('{"code":"00"}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    try {
      const no = h.nextNo('redeliver');
      const created = await h.client.createPayment({
        outTradeNo: no,
        amount: cents(1000),
        currency: 'HKD',
        wallet: 'WECHATHK',
        notifyUrl: `http://127.0.0.1:${port}/notify`,
      });
      expect(created.outcome).toBe('success');
      await expect(controls().redeliverNotify(no)).rejects.toThrow('409');
      expect((await h.pay(no, {})).body.notify?.status).toBe(200);
      expect(await controls().redeliverNotify(no)).toMatchObject({ status: 200 });
      expect(bodies).toHaveLength(2);
      const ids = bodies.map((b) => (JSON.parse(b) as { notify_id: string }).notify_id);
      expect(ids[1]).toBe(ids[0]);
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
