// The same flows on the real transports: Kafka (KAFKA_BROKERS, which `make test` sets) and
// PostgreSQL. Without a broker this suite fails, loudly: it is never skipped.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing, type Tracing } from '@paystream/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from '../src/__fixtures__/harness.js';
import { runLifecycle } from '../src/__fixtures__/lifecycle.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let h: Harness;
beforeAll(async () => {
  tracing = startTracing({ serviceName: 'gateway-kafka-test', exporter, env: {} });
  if (!process.env.KAFKA_BROKERS) {
    throw new Error(
      'KAFKA_BROKERS is not set. This suite needs a Kafka broker: run `make test`, or `make kafka` and export KAFKA_BROKERS=127.0.0.1:9092',
    );
  }
  h = await startHarness({ transport: 'kafka', database: 'postgres', upstreamTimeoutMs: 300 });
});
afterAll(async () => {
  await h?.close();
  await tracing?.shutdown();
});

describe('gateway on Kafka and PostgreSQL', () => {
  it('runs the full life of an order and puts each step on the topic', async () => {
    await runLifecycle(h);
  });

  it('resolves a create timeout by query and emits payment.created once', async () => {
    const no = h.nextNo('kto');
    await h.fault({ operation: 'create', timeout: true });
    const res = await h.post('/v1/payments', createBody(no));
    expect(res.status).toBe(201);
    const events = await h.eventsFor(no);
    expect(events.map((e) => [e.type, e.data.operation, e.data.code])).toEqual([
      ['payment.created', 'query', '00'],
    ]);
  });

  it('emits an event carrying the code of an upstream refusal', async () => {
    const no = h.nextNo('k64');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    await h.pay(no);
    await h.fault({ code: '64', operation: 'refund' });
    const res = await h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-r`, amount: '1.00' });
    expect(res.body.code).toBe('64');
    const last = (await h.eventsFor(no)).at(-1);
    expect(last).toMatchObject({ type: 'refund.failed', data: { code: '64', refundNo: `${no}-r` } });
  });

  it('leaves no trace of a bad request in the outbox', async () => {
    const before = await h.outboxCount();
    const res = await h.post('/v1/payments', createBody(h.nextNo('kbad'), { amount: '1.005' }));
    expect(res.status).toBe(400);
    expect(await h.outboxCount()).toBe(before);
  });

  it('replays an idempotent create', async () => {
    const no = h.nextNo('kid');
    const first = await h.post('/v1/payments', createBody(no), { 'idempotency-key': no });
    const again = await h.post('/v1/payments', createBody(no), { 'idempotency-key': no });
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('keeps one trace from the HTTP request through the outbox and Kafka into the consumer', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const no = h.nextNo('ktr');
    const res = await h.post('/v1/payments', createBody(no), {
      traceparent: `00-${traceId}-b7ad6b7169203331-01`,
    });
    expect(res.status).toBe(201);
    const [event] = await h.eventsFor(no);
    // The event was written in the request's span; the relay published it later, out of any request.
    const [, eventTrace, eventParent] = event!.traceparent!.split('-');
    expect(eventTrace).toBe(traceId);
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    await expect.poll(() => inTrace().some((s) => s.name.startsWith('process '))).toBe(true);
    const spans = inTrace();
    const server = spans.find((s) => s.name === 'POST /v1/payments');
    const consumer = spans.find((s) => s.name.startsWith('process payments.events.v1'));
    expect(server?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(spans.some((s) => s.name === 'upstream create')).toBe(true);
    // The consumer's span hangs off the span the event was created in: one unbroken trace.
    expect(consumer?.parentSpanContext?.spanId).toBe(eventParent);
    expect(spans.map((s) => s.spanContext().spanId)).toContain(eventParent);
  });
});
