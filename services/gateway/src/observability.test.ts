// One span and one counter increment per upstream call; a span per HTTP request that continues the
// caller's trace; events carry that trace; and no secret appears in logs, spans, events or answers.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing, type Tracing } from '@paystream/telemetry';
import { SANDBOX_DEV_CREDENTIALS } from '@paystream/upstream-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, FULL_KEY, type Harness, startHarness } from './__fixtures__/harness.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let h: Harness;
beforeAll(async () => {
  tracing = startTracing({ serviceName: 'gateway-test', exporter, env: {} });
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
  await tracing?.shutdown();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('tracing', () => {
  it('continues the caller trace through the upstream call into the event', async () => {
    const no = h.nextNo('tr');
    const res = await h.post('/v1/payments', createBody(no), {
      traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
    });
    expect(res.status).toBe(201);
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === TRACE_ID);
    const server = spans.find((s) => s.name === 'POST /v1/payments');
    const upstream = spans.filter((s) => s.name === 'upstream create');
    expect(server).toBeDefined();
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(upstream[0]?.attributes).toMatchObject({
      'paystream.upstream.operation': 'create',
      'paystream.upstream.code': '00',
      'paystream.out_trade_no': no,
    });
    const [event] = await h.eventsFor(no);
    expect(event?.traceparent).toContain(TRACE_ID);
  });
});

describe('metrics', () => {
  it('counts each upstream call once by operation, code and category, and times it', async () => {
    const no = h.nextNo('m');
    await h.post('/v1/payments', createBody(no));
    await h.fault({ code: '64', operation: 'refund' });
    await h.pay(no);
    await h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-r`, amount: '1.00' });
    const text = (await h.http.get('/metrics')).text;
    expect(text).toMatch(
      /paystream_upstream_requests_total\{operation="create",code="00",category="success"\} \d+/,
    );
    expect(text).toMatch(
      /paystream_upstream_requests_total\{operation="refund",code="64",category="[a-z_]+"\} 1/,
    );
    expect(text).toMatch(
      /paystream_upstream_request_duration_seconds_bucket\{le="0.005",operation="refund",code="64"\}/,
    );
    await h.settle();
    expect(text).toContain('paystream_http_requests_total');
    const after = (await h.http.get('/metrics')).text;
    expect(after).toMatch(/paystream_events_published_total\{type="refund.failed"\} 1/);
    expect(after).toMatch(/paystream_outbox_pending\{table="paystream_outbox"\} 0/);
  });
});

describe('secrets', () => {
  it('never puts the private key, the confirm key or an API key in logs, spans, events or answers', async () => {
    const no = h.nextNo('sec');
    const answers: unknown[] = [];
    answers.push((await h.post('/v1/payments', createBody(no))).body);
    // An upstream that echoes the key in its message must not leak it either.
    await h.fault({ code: '-1', operation: 'query', message: `boom ${SANDBOX_DEV_CREDENTIALS.privateKey}` });
    answers.push((await h.get(`/v1/payments/${no}`)).body);
    await h.fault({
      code: '-12',
      operation: 'cancel',
      message: `bad ${SANDBOX_DEV_CREDENTIALS.userConfirmKey}`,
    });
    answers.push((await h.post(`/v1/payments/${no}/cancel`)).body);
    await h.fault({ operation: 'close', timeout: true });
    answers.push((await h.post(`/v1/payments/${no}/close`)).body);
    answers.push(
      (await h.http.post('/v1/payments').set('authorization', `Bearer ${FULL_KEY}z`).send({})).body,
    );
    const events = await h.eventsFor(no);
    expect(events.map((e) => e.data.code)).toContain('-12');
    const haystack = JSON.stringify({
      logs: h.logs,
      answers,
      events,
      spans: exporter
        .getFinishedSpans()
        .map((s) => ({ name: s.name, attributes: s.attributes, status: s.status })),
      metrics: await h.registry.metrics(),
    });
    for (const secret of [
      SANDBOX_DEV_CREDENTIALS.privateKey,
      SANDBOX_DEV_CREDENTIALS.userConfirmKey,
      FULL_KEY,
    ]) {
      expect(haystack).not.toContain(secret);
    }
  });
});

describe('health and the API document', () => {
  it('answers /healthz and /readyz with the upstream, the bus and the database', async () => {
    expect((await h.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await h.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.checks).sort()).toEqual(['bus', 'database', 'upstream']);
  });

  it('serves OpenAPI 3.1 generated from the validators', async () => {
    const doc = (await h.http.get('/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/payments',
        '/v1/payments/{outTradeNo}',
        '/v1/payments/{outTradeNo}/refunds',
        '/v1/payments/{outTradeNo}/cancel',
        '/v1/payments/{outTradeNo}/close',
        '/v1/notifications/upstream',
      ]),
    );
    const create = doc.paths['/v1/payments'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(expect.arrayContaining(['outTradeNo', 'amount', 'currency', 'wallet']));
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.wallet.enum).toEqual(['WECHATCN', 'WECHATHK', 'ALIPAYCN', 'ALIPAYHK']);
  });
});
