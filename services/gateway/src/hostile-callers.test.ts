// Holes a hostile caller and a crashing host once found, one test each, named for the behaviour.
// (The crash-at-every-point reproduction is integration/crash-points.test.ts.)
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { minorUnits } from '@paystream/money';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CHECKOUT_READ_KEY,
  createBody,
  FULL_KEY,
  type Harness,
  OTHER_CALLER_KEY,
  startHarness,
  WRITE_ONLY_KEY,
} from './__fixtures__/harness.js';
import { notification } from './__fixtures__/notification.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    transport: 'embedded',
    database: 'sqlite',
    upstreamTimeoutMs: 300,
    sandbox: { notifyTimeoutMs: 150 },
  });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sandbox.faults.clear();
});

const types = async (no: string) =>
  (await h.eventsFor(no)).map((e) => [e.type, e.data.operation, e.data.code]);

async function paidOrder(prefix = 'rp') {
  const no = h.nextNo(prefix);
  expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
  expect((await h.pay(no)).body.notify?.status).toBe(200);
  return no;
}

async function httpRequests(labels: Record<string, string>): Promise<number> {
  const metric = await h.registry.getSingleMetric('paystream_http_requests_total')?.get();
  return (
    metric?.values
      .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
      .reduce((sum, v) => sum + v.value, 0) ?? 0
  );
}

describe('03 with no local record', () => {
  it('queries, takes the order over and answers as the create would have', async () => {
    const no = h.nextNo('takeover');
    // The aggregator accepted the create, and the gateway that sent it kept no record.
    const direct = await h.upstream.createPayment({
      outTradeNo: no,
      amount: minorUnits(1000),
      currency: 'HKD',
      wallet: 'WECHATHK',
      notifyUrl: 'http://127.0.0.1:9/notify',
    });
    expect(direct.outcome).toBe('success');
    const res = await h.post('/v1/payments', createBody(no));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ outTradeNo: no, status: 'pending', amount: '10.00' });
    expect(await types(no)).toEqual([['payment.created', 'query', '00']]);
    // Payable upstream, and the gateway follows it there.
    expect((await h.pay(no)).status).toBe(200);
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('paid');
    expect((await types(no)).at(-1)).toEqual(['payment.succeeded', 'query', '00']);
  });

  it('does not take over an order that differs from the create: 409, nothing created', async () => {
    const no = h.nextNo('takeover');
    await h.upstream.createPayment({
      outTradeNo: no,
      amount: minorUnits(2500),
      currency: 'HKD',
      wallet: 'WECHATHK',
      notifyUrl: 'http://127.0.0.1:9/notify',
    });
    const res = await h.post('/v1/payments', createBody(no));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('03');
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('failed');
  });
});

describe('a recorded notify redelivered', () => {
  it('is acknowledged, even when the first delivery timed out behind a slow read', async () => {
    const no = h.nextNo('redeliver');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    // A slow query holds the order while the sandbox's notify (150 ms timeout) waits and gives up.
    await h.fault({ operation: 'query', delayMs: 600 });
    const slowRead = h.get(`/v1/payments/${no}`).then((r) => r);
    await new Promise((r) => setTimeout(r, 50));
    const paid = await h.pay(no);
    expect(paid.body.notify?.status).toBeUndefined();
    await slowRead;
    // Whatever the first deliveries did, the aggregator's next redelivery is acknowledged.
    expect(await h.controls.redeliverNotify(no)).toMatchObject({ status: 200 });
    expect(await h.controls.redeliverNotify(no)).toMatchObject({ status: 200 });
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('paid');
    expect((await h.eventsFor(no)).filter((e) => e.type === 'payment.succeeded')).toHaveLength(1);
  });
});

describe('a lagging query', () => {
  it('never moves a paid order back, and payment.succeeded is emitted once', async () => {
    const no = await paidOrder('lag');
    await h.controls.lagQueries(no, 3);
    for (let i = 0; i < 3; i += 1) {
      const read = await h.get(`/v1/payments/${no}`);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('paid');
    }
    await h.controls.redeliverNotify(no);
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('paid');
    expect(await types(no)).toEqual([
      ['payment.created', 'create', '00'],
      ['payment.succeeded', 'notify', '00'],
    ]);
  });

  it('keeps a refunded total the lagging query does not show yet', async () => {
    const no = await paidOrder('lag');
    expect((await h.post(`/v1/payments/${no}/refunds`, { refundNo: 'r1', amount: '4.00' })).status).toBe(201);
    await h.controls.lagQueries(no, 1);
    const read = await h.get(`/v1/payments/${no}`);
    expect(read.body).toMatchObject({ status: 'partially_refunded', refundedAmount: '4.00' });
  });
});

describe('cancel of a paid order', () => {
  it('needs refunds:write: payments:write alone is 403 and nothing moves', async () => {
    const no = await paidOrder('cancel');
    const outbox = await h.outboxCount();
    const res = await h.http
      .post(`/v1/payments/${no}/cancel`)
      .set('authorization', `Bearer ${WRITE_ONLY_KEY}`);
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('refunds:write');
    expect(h.sandbox.state.orders.get(no)?.status).toBe('PAID');
    expect(await h.outboxCount()).toBe(outbox);
    // The same key may still close an unpaid order.
    const open = h.nextNo('cancel');
    expect((await h.post('/v1/payments', createBody(open))).status).toBe(201);
    const close = await h.http
      .post(`/v1/payments/${open}/close`)
      .set('authorization', `Bearer ${WRITE_ONLY_KEY}`);
    expect(close.status).toBe(200);
  });
});

describe('numbers across callers', () => {
  it('a refundNo another caller used is free for this caller: namespaced upstream', async () => {
    const mine = await paidOrder('ns');
    const theirs = h.nextNo('ns');
    const create = await h.http
      .post('/v1/payments')
      .set('authorization', `Bearer ${OTHER_CALLER_KEY}`)
      .send(createBody(theirs));
    expect(create.status).toBe(201);
    await h.pay(theirs);
    expect(
      (await h.post(`/v1/payments/${mine}/refunds`, { refundNo: 'shared-1', amount: '1.00' })).status,
    ).toBe(201);
    const other = await h.http
      .post(`/v1/payments/${theirs}/refunds`)
      .set('authorization', `Bearer ${OTHER_CALLER_KEY}`)
      .send({ refundNo: 'shared-1', amount: '1.00' });
    expect(other.status).toBe(201);
    expect(other.body).toMatchObject({ refundNo: 'shared-1', status: 'succeeded' });
    const upstreamNos = [mine, theirs].map((no) => h.sandbox.state.orders.get(no)?.refunds[0]?.refundNo);
    expect(new Set(upstreamNos).size).toBe(2);
  });

  it('another caller reusing an outTradeNo gets the same 409 as any reuse, and nothing is recorded', async () => {
    const no = await paidOrder('ns');
    const outbox = await h.outboxCount();
    const own = await h.post('/v1/payments', createBody(no, { amount: '11.00' }));
    const foreign = await h.http
      .post('/v1/payments')
      .set('authorization', `Bearer ${OTHER_CALLER_KEY}`)
      .send(createBody(no));
    expect(foreign.status).toBe(409);
    expect({ ...foreign.body, instance: undefined }).toEqual({ ...own.body, instance: undefined });
    expect(await h.outboxCount()).toBe(outbox);
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('paid');
  });
});

describe('no 500s', () => {
  it.each(['/v1/payments/%', '/v1/payments/%/cancel', '/v1/payments/%/close'])(
    '%s is a 400 problem',
    async (path) => {
      const res = path.endsWith('%') ? await h.get(path) : await h.post(path);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([{ field: 'path', message: 'is not valid percent-encoding' }]);
    },
  );

  it.each(['gzip', 'br', 'deflate'])(
    'a notify sent with Content-Encoding %s is a 415 problem',
    async (encoding) => {
      const errors = h.logs.filter((l) => l.level === 'error').length;
      const res = await h.http
        .post('/v1/notifications/upstream')
        .set('content-type', 'application/json')
        .set('content-encoding', encoding)
        .send(gzipSync('{"notify_id":"x"}'));
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(errors);
    },
  );

  it('a client that aborts mid-body is counted as an abort and logged at warn, not error', async () => {
    const aborted = await httpRequests({ route: '/v1/payments', status: '499' });
    const errors = h.logs.filter((l) => l.level === 'error').length;
    const server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${FULL_KEY}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"outTradeNo":`,
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    while ((await httpRequests({ route: '/v1/payments', status: '499' })) === aborted) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => server.close(r));
    expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(errors);
    expect(h.logs.some((l) => l.level === 'warn' && l.msg === 'client aborted the request')).toBe(true);
    expect(await httpRequests({ route: '/v1/payments', status: '500' })).toBe(0);
  });
});

describe('reads write no events', () => {
  it('a forgotten order reads as the stored record, marked stale, with one event for the change', async () => {
    const no = await paidOrder('forget');
    await h.controls.forget(no);
    for (let i = 0; i < 20; i += 1) {
      const read = await h.get(`/v1/payments/${no}`, CHECKOUT_READ_KEY);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ status: 'paid', stale: true, queryCode: '31' });
    }
    expect((await h.eventsFor(no)).filter((e) => e.type === 'payment.query_failed')).toHaveLength(1);
  });
});

describe('amounts outside the aggregator range', () => {
  it.each(['0.00', '0.01', '60000.01', '999999999999.99'])(
    'create with %s: 400 naming amount, nothing recorded or sent',
    async (amount) => {
      const no = h.nextNo('range');
      const outbox = await h.outboxCount();
      const res = await h.post('/v1/payments', createBody(no, { amount }));
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['amount']);
      expect(await h.outboxCount()).toBe(outbox);
      expect(h.sandbox.state.orders.has(no)).toBe(false);
      expect((await h.get(`/v1/payments/${no}`)).status).toBe(404);
    },
  );

  it('accepts the bounds 0.02 and 60000.00', async () => {
    for (const amount of ['0.02', '60000.00']) {
      expect((await h.post('/v1/payments', createBody(h.nextNo('range'), { amount }))).status).toBe(201);
    }
  });

  it('a refund of 0.00: 400 naming amount, nothing recorded', async () => {
    const no = await paidOrder('range');
    const outbox = await h.outboxCount();
    const res = await h.post(`/v1/payments/${no}/refunds`, { refundNo: 'zero', amount: '0.00' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['amount']);
    expect(await h.outboxCount()).toBe(outbox);
    expect((await h.get(`/v1/payments/${no}`)).body.refunds).toEqual([]);
  });
});

describe('smaller items', () => {
  it('accepts the bearer scheme in any case', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer', 'bEaReR']) {
      const res = await h.http.get('/v1/payments/nope').set('authorization', `${scheme} ${FULL_KEY}`);
      expect(res.status).toBe(404);
    }
  });

  it('answers the in-progress 409 with Retry-After', async () => {
    const no = h.nextNo('busy');
    await h.fault({ operation: 'create', delayMs: 250 });
    const first = h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` }).then((r) => r);
    await new Promise((r) => setTimeout(r, 60));
    const second = await h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` });
    expect(second.status).toBe(409);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await first).status).toBe(201);
  });

  it('marks payment answers and problems Cache-Control: no-store', async () => {
    const no = h.nextNo('cache');
    const created = await h.post('/v1/payments', createBody(no));
    const read = await h.get(`/v1/payments/${no}`);
    const missing = await h.get('/v1/payments/none-such');
    const unauthorized = await h.http.get(`/v1/payments/${no}`);
    for (const res of [created, read, missing, unauthorized])
      expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a notify whose wallet is not the order’s', async () => {
    const no = h.nextNo('wallet');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    const res = await h.http
      .post('/v1/notifications/upstream')
      .set('content-type', 'application/json')
      .send(JSON.stringify(notification(no, { wallet: 'WECHATCN' })));
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe('mismatch');
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('pending');
  });

  it('labels metrics with the route template whatever the outcome', async () => {
    const no = await paidOrder('label');
    const before = {
      refund: await httpRequests({ route: '/v1/payments/:outTradeNo/refunds', status: '422' }),
      create: await httpRequests({ route: '/v1/payments', status: '409' }),
      badKey: await httpRequests({ route: '/v1/payments', status: '401' }),
      badJson: await httpRequests({ route: '/v1/payments', status: '400' }),
    };
    expect((await h.post(`/v1/payments/${no}/refunds`, { refundNo: 'over', amount: '99.00' })).status).toBe(
      422,
    );
    expect((await h.post('/v1/payments', createBody(no, { amount: '3.00' }))).status).toBe(409);
    expect((await h.http.post('/v1/payments').set('authorization', 'Bearer psk_wrong').send({})).status).toBe(
      401,
    );
    const badJson = await h.http
      .post('/v1/payments')
      .set('authorization', `Bearer ${FULL_KEY}`)
      .set('content-type', 'application/json')
      .send('{');
    expect(badJson.status).toBe(400);
    expect(await httpRequests({ route: '/v1/payments/:outTradeNo/refunds', status: '422' })).toBe(
      before.refund + 1,
    );
    expect(await httpRequests({ route: '/v1/payments', status: '409' })).toBe(before.create + 1);
    expect(await httpRequests({ route: '/v1/payments', status: '401' })).toBe(before.badKey + 1);
    expect(await httpRequests({ route: '/v1/payments', status: '400' })).toBe(before.badJson + 1);
  });
});
