// The client against the real gateway and sandbox: an order's whole life, a forced 64, timeouts
// settled by retries without a double charge, validation errors, abort and trace context.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { minorUnits } from '@paystream/money';
import { startTracing, type Tracing } from '@paystream/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_FILE } from '../src/__fixtures__/contract.js';
import {
  createPaystreamClient,
  fromMinorUnits,
  type Outcome,
  type Payment,
  PaystreamAbortedError,
  type PaystreamClient,
  PaystreamProblemError,
  PaystreamUnavailableError,
  toMinorUnits,
} from '../src/index.js';
import { type Platform, recordingFetch, startPlatform } from './platform.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let p: Platform;
let client: PaystreamClient;
const run = randomBytes(3).toString('hex');
let n = 0;
const nextNo = (prefix: string) => `${prefix}-${run}-${++n}`;

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'client-test', exporter, env: {} });
  p = await startPlatform();
  client = createPaystreamClient({ baseUrl: p.gatewayUrl, apiKey: p.devKey, timeoutMs: 10_000 });
});
afterAll(async () => {
  await p?.close();
  await tracing?.shutdown();
});

function done<T>(outcome: Outcome<T>): T {
  if (outcome.outcome !== 'done') throw new Error(`expected a final answer, got ${outcome.outcome}`);
  return outcome.value;
}

async function problemOf(promise: Promise<unknown>): Promise<PaystreamProblemError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PaystreamProblemError);
  return err as PaystreamProblemError;
}

describe('an order, from creation to refund, cancel and close', () => {
  it('creates, is paid in the sandbox, reads, refunds in parts and refuses more than was paid', async () => {
    const no = nextNo('life');
    const amount = fromMinorUnits(minorUnits(1234), 'HKD');
    const created = await client.createPayment({
      outTradeNo: no,
      amount,
      currency: 'HKD',
      wallet: 'WECHATHK',
    });
    expect(created).toMatchObject({ outcome: 'done', status: 201, replayed: false, attempts: 1 });
    const payment = done(created);
    expect(payment).toMatchObject({ outTradeNo: no, status: 'pending', amount: '12.34', currency: 'HKD' });
    expect(payment.qrCodeUrl).toBeTruthy();
    expect(toMinorUnits(payment.amount, payment.currency)).toBe(1234);
    expect(created.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);

    const paid = await p.sandbox.pay(no);
    expect(paid.status).toBe(200);
    const read = done(await client.getPayment(no));
    expect(read.status).toBe('paid');

    const first = await client.refundPayment(no, { refundNo: `${no}-r1`, amount: '2.00' });
    expect(first).toMatchObject({ outcome: 'done', status: 201 });
    expect(done(first)).toMatchObject({ refundNo: `${no}-r1`, status: 'succeeded', refundedAmount: '2.00' });
    // The same refund as a new logical call (another key): the gateway answers the stored refund.
    const again = await client.refundPayment(no, { refundNo: `${no}-r1`, amount: '2.00' });
    expect(again).toMatchObject({ outcome: 'done', status: 200, replayed: false });
    const rest = done(await client.refundPayment(no, { refundNo: `${no}-r2`, amount: '10.34' }));
    expect(rest.refundedAmount).toBe('12.34');
    expect(done(await client.getPayment(no))).toMatchObject({ status: 'refunded', refundedAmount: '12.34' });

    const over = await problemOf(client.refundPayment(no, { refundNo: `${no}-r3`, amount: '0.01' }));
    expect(over.code).toBe('18');
    expect(over.retry).toBe('never');
  });

  it('cancels a paid payment and closes an unpaid one', async () => {
    const paidNo = nextNo('cancel');
    done(
      await client.createPayment({ outTradeNo: paidNo, amount: '5.00', currency: 'CNY', wallet: 'ALIPAYCN' }),
    );
    await p.sandbox.pay(paidNo);
    const canceled = await client.cancelPayment(paidNo);
    expect(canceled).toMatchObject({ outcome: 'done', status: 200 });
    expect(done(canceled).status).toBe('canceled');

    const openNo = nextNo('close');
    done(
      await client.createPayment({ outTradeNo: openNo, amount: '5.00', currency: 'HKD', wallet: 'ALIPAYHK' }),
    );
    const closed = await client.closePayment(openNo);
    expect(done(closed).status).toBe('closed');
    // Closed means closed: the customer can no longer pay it.
    expect((await p.sandbox.pay(openNo)).status).toBe(409);
  });
});

describe('the wire', () => {
  it('every mutating call carries its own Idempotency-Key; reads carry none', async () => {
    const rec = recordingFetch();
    const c = createPaystreamClient({ baseUrl: p.gatewayUrl, apiKey: p.devKey, fetch: rec.fetch });
    const no = nextNo('wire');
    done(await c.createPayment({ outTradeNo: no, amount: '9.00', currency: 'HKD', wallet: 'WECHATHK' }));
    await p.sandbox.pay(no);
    done(await c.getPayment(no));
    done(await c.refundPayment(no, { refundNo: `${no}-r1`, amount: '1.00' }));
    const open = nextNo('wire');
    done(await c.createPayment({ outTradeNo: open, amount: '9.00', currency: 'HKD', wallet: 'WECHATHK' }));
    done(await c.closePayment(open));
    const posts = rec.sent.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(4);
    for (const post of posts) expect(post.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(posts.map((s) => s.idempotencyKey)).size).toBe(posts.length);
    for (const get of rec.sent.filter((s) => s.method === 'GET')) expect(get.idempotencyKey).toBeNull();
  });

  it('the gateway serves the contract the client was generated from', async () => {
    const served = await (await fetch(`${p.gatewayUrl}/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')));
  });
});

describe('errors', () => {
  it('a forced 64 is a typed problem with the catalog title, and is not retried', async () => {
    const no = nextNo('b64');
    done(
      await client.createPayment({ outTradeNo: no, amount: '20.00', currency: 'HKD', wallet: 'WECHATHK' }),
    );
    await p.sandbox.pay(no);
    const res = await fetch(`${p.sandboxUrl}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '64', operation: 'refund', times: 1 }),
    });
    expect(res.status).toBe(201);
    const rec = recordingFetch();
    const counting = createPaystreamClient({ baseUrl: p.gatewayUrl, apiKey: p.devKey, fetch: rec.fetch });
    const before = await p.upstreamCalls('refund', '64');
    const err = await problemOf(counting.refundPayment(no, { refundNo: `${no}-r1`, amount: '1.00' }));
    expect(err).toMatchObject({
      status: 409,
      code: '64',
      category: 'balance',
      retry: 'never',
      title: 'Basic account balance is insufficient, please recharge and try again',
      operation: 'refund',
      replayed: false,
    });
    expect(err.name).toBe('PaystreamProblemError');
    expect(err.idempotencyKey).toBe(rec.sent[0]?.idempotencyKey);
    expect(rec.sent).toHaveLength(1);
    expect(await p.upstreamCalls('refund', '64')).toBe(before + 1);
    // The fault is spent: a new refund goes through.
    done(await client.refundPayment(no, { refundNo: `${no}-r2`, amount: '1.00' }));
  });

  it('validation errors name each bad field, are not retried and record nothing', async () => {
    const no = nextNo('bad');
    const rec = recordingFetch();
    const counting = createPaystreamClient({ baseUrl: p.gatewayUrl, apiKey: p.devKey, fetch: rec.fetch });
    const err = await problemOf(
      counting.createPayment({
        outTradeNo: no,
        amount: '12.34',
        // A caller that bypasses the types still gets each field named.
        currency: 'USD' as 'HKD',
        wallet: 'PAYPAL' as 'WECHATHK',
      }),
    );
    expect(err.status).toBe(400);
    expect(err.type).toMatch(/\/validation$/);
    expect(err.code).toBeUndefined();
    expect(err.fieldErrors.map((f) => f.field).sort()).toEqual(['currency', 'wallet']);
    expect(err.message).toContain('wallet');
    const decimals = await problemOf(
      counting.createPayment({ outTradeNo: no, amount: '12.345', currency: 'HKD', wallet: 'WECHATHK' }),
    );
    expect(decimals.fieldErrors).toEqual([{ field: 'amount', message: expect.stringContaining('decimal') }]);
    expect(rec.sent).toHaveLength(2);
    expect((await problemOf(client.getPayment(no))).status).toBe(404);
    expect((await p.sandboxOrder(no)).status).toBe(404);
  });

  it('a bad API key is a 401 problem, not retried', async () => {
    const rec = recordingFetch();
    const wrong = createPaystreamClient({ baseUrl: p.gatewayUrl, apiKey: 'psk_wrong', fetch: rec.fetch });
    const err = await problemOf(wrong.getPayment('anything'));
    expect(err.status).toBe(401);
    expect(rec.sent).toHaveLength(1);
  });
});

describe('timeouts and retries, without a double charge', () => {
  it('a client timeout is retried with the same Idempotency-Key until the first attempt answers', async () => {
    const no = nextNo('slow');
    await p.sandbox.fault({ operation: 'create', delayMs: 600 }); // well under the gateway's deadline
    const rec = recordingFetch();
    const impatient = createPaystreamClient({
      baseUrl: p.gatewayUrl,
      apiKey: p.devKey,
      fetch: rec.fetch,
      timeoutMs: 200,
      retry: { attempts: 40, baseDelayMs: 50, maxDelayMs: 200 },
    });
    const before = await p.upstreamCalls('create');
    const outcome = await impatient.createPayment({
      outTradeNo: no,
      amount: '30.00',
      currency: 'HKD',
      wallet: 'WECHATHK',
    });
    // The first attempt took the key and created the payment; a retry got its stored answer.
    expect(outcome).toMatchObject({ outcome: 'done', status: 201, replayed: true });
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(new Set(rec.sent.map((s) => s.idempotencyKey))).toEqual(new Set([outcome.idempotencyKey]));
    expect(await p.upstreamCalls('create')).toBe(before + 1);
    const upstream = await p.sandboxOrder(no);
    expect(upstream.body).toMatchObject({ out_trade_no: no, transaction_amount: '30.00' });
  });

  it('an upstream timeout is surfaced as unknown; the same call again settles it by a query', async () => {
    const no = nextNo('unknown');
    // The create times out upstream (it still takes effect there) and so does the settling query.
    await p.sandbox.fault({ operation: 'create', timeout: true });
    await p.sandbox.fault({ operation: 'query', timeout: true });
    const before = await p.upstreamCalls('create');
    const input = { outTradeNo: no, amount: '40.00', currency: 'HKD', wallet: 'WECHATHK' } as const;
    const first = await client.createPayment(input);
    expect(first.outcome).toBe('unknown');
    if (first.outcome !== 'unknown') return;
    expect(first.status).toBe(202);
    expect(first.value.status).toBe('unknown');
    expect(first.detail).toBeTruthy();
    expect(first.attempts).toBe(1);

    const settled = await client.createPayment(input, { idempotencyKey: first.idempotencyKey! });
    expect(settled).toMatchObject({ outcome: 'done', status: 201 });
    expect(done(settled)).toMatchObject({ outTradeNo: no, status: 'pending', amount: '40.00' });
    // One create reached the aggregator (the timed-out one); the retry found it by a query.
    expect(await p.upstreamCalls('create')).toBe(before);
    expect((await p.sandboxOrder(no)).body).toMatchObject({ transaction_amount: '40.00' });
  });

  it('a refund whose outcome is unknown is refunded once when repeated', async () => {
    const no = nextNo('refund-unknown');
    done(
      await client.createPayment({ outTradeNo: no, amount: '50.00', currency: 'HKD', wallet: 'WECHATHK' }),
    );
    await p.sandbox.pay(no);
    await p.sandbox.fault({ operation: 'refund', timeout: true });
    await p.sandbox.fault({ operation: 'query', timeout: true });
    const input = { refundNo: `${no}-r1`, amount: '5.00' };
    const first = await client.refundPayment(no, input);
    expect(first).toMatchObject({ outcome: 'unknown', status: 202, value: { status: 'pending' } });
    const settled = await client.refundPayment(no, input, { idempotencyKey: first.idempotencyKey! });
    expect(settled.outcome).toBe('done');
    expect(done(settled)).toMatchObject({
      refundNo: `${no}-r1`,
      status: 'succeeded',
      refundedAmount: '5.00',
    });
    expect((await p.sandboxOrder(no)).body).toMatchObject({ refunded_amount: '5.00' });
  });

  it('no answer at all: the last error says so and carries the key to try again', async () => {
    const offline = createPaystreamClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: p.devKey,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const err = await offline
      .createPayment({ outTradeNo: nextNo('off'), amount: '1.00', currency: 'HKD', wallet: 'WECHATHK' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaystreamUnavailableError);
    expect(err).toMatchObject({ attempts: 2, timedOut: false });
    expect((err as PaystreamUnavailableError).idempotencyKey).toBeTruthy();
  });

  it('an abort stops the call; the same key later finds what the first attempt did', async () => {
    const no = nextNo('abort');
    await p.sandbox.fault({ operation: 'create', delayMs: 600 }); // well under the gateway's deadline
    const controller = new AbortController();
    const input = { outTradeNo: no, amount: '7.00', currency: 'HKD', wallet: 'WECHATHK' } as const;
    const pending = client.createPayment(input, { signal: controller.signal });
    // Abort while the gateway waits for the aggregator: the create is under way there.
    await p.faultsTaken();
    controller.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaystreamAbortedError);
    const key = (err as PaystreamAbortedError).idempotencyKey!;
    // The gateway carries on without the caller; a read waits for it (the order's lock).
    expect(done(await client.getPayment(no)).amount).toBe('7.00');
    const later: Outcome<Payment> = await client.createPayment(input, { idempotencyKey: key });
    expect(later).toMatchObject({ outcome: 'done', status: 201, replayed: true });
    expect(done(later).amount).toBe('7.00');
  });
});

describe('trace context', () => {
  it("the gateway's spans join the caller's trace", async () => {
    const no = nextNo('trace');
    const tracer = trace.getTracer('checkout-service');
    const parent = tracer.startSpan('checkout');
    await context.with(trace.setSpan(context.active(), parent), () =>
      client.createPayment({ outTradeNo: no, amount: '3.00', currency: 'HKD', wallet: 'WECHATHK' }),
    );
    parent.end();
    const traceId = parent.spanContext().traceId;
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const clientSpan = spans.find((s) => s.name === 'POST /v1/payments' && s.kind === 2);
    const serverSpan = spans.find((s) => s.name === 'POST /v1/payments' && s.kind === 1);
    expect(clientSpan?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    expect(spans.some((s) => s.name === 'upstream create')).toBe(true);
    expect(JSON.stringify(clientSpan?.attributes)).not.toContain(p.devKey);
  });
});
