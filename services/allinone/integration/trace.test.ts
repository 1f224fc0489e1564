// One payment's trace on Kafka, as the all-in-one runs (`node --import @paystream/telemetry/register`,
// ESM on Node 24): the HTTP server span, `upstream create`, the HTTP client span under it, the
// PostgreSQL queries, the Kafka send, and the consumer group's one `process` span, all in the
// request's trace.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

interface SpanJson {
  name: string;
  kind: number;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}

const SERVER = 1;
const CLIENT = 2;
const PRODUCER = 3;
const CONSUMER = 4;

function runFixture() {
  if (!process.env.KAFKA_BROKERS) {
    throw new Error(
      'KAFKA_BROKERS is not set. This suite needs a Kafka broker: run `make test`, or `make kafka`.',
    );
  }
  const r = spawnSync(
    process.execPath,
    ['--import', '@paystream/telemetry/register', join('integration', 'fixtures', 'one-payment.ts')],
    {
      cwd: join(import.meta.dirname, '..'),
      env: {
        ...process.env,
        OTEL_SERVICE_NAME: 'paystream-allinone',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      },
      encoding: 'utf8',
      timeout: 90_000,
    },
  );
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    throw new Error(`fixture failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return {
    stderr: r.stderr,
    out: JSON.parse(line) as {
      group: string;
      outTradeNo: string;
      spans: SpanJson[];
      backlog: string[];
      droppedWarnings: number;
    },
  };
}

type Run = ReturnType<typeof runFixture>;
let out: Run['out'];
let stderr: Run['stderr'];
let byId: Map<string, SpanJson>;
beforeAll(() => {
  ({ out, stderr } = runFixture());
  byId = new Map(out.spans.map((s) => [s.spanId, s]));
});

describe('one payment, one trace, on Kafka and PostgreSQL', () => {
  const ancestors = (s: SpanJson): SpanJson[] => {
    const chain: SpanJson[] = [];
    for (
      let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      p;
      p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined
    )
      chain.push(p);
    return chain;
  };

  it('connects the server span, upstream create, its HTTP client span, the Kafka send and the group process span', () => {
    const server = out.spans.find((s) => s.kind === SERVER && s.name === 'POST /v1/payments');
    expect(server?.scope).toBe('@opentelemetry/instrumentation-http');
    expect(server?.attributes['http.route']).toBe('/v1/payments');

    const upstream = out.spans.filter(
      (s) => s.name === 'upstream create' && s.attributes['paystream.out_trade_no'] === out.outTradeNo,
    );
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.attributes).toMatchObject({
      'paystream.upstream.code': '00',
      'paystream.upstream.category': 'success',
      'paystream.wallet': 'WECHATHK',
      'paystream.currency': 'HKD',
    });
    expect(ancestors(upstream[0]!)).toContain(server);
    const traceId = server!.traceId;

    const client = out.spans.find(
      (s) =>
        s.kind === CLIENT &&
        s.scope === '@opentelemetry/instrumentation-undici' &&
        s.parentSpanId === upstream[0]?.spanId,
    );
    expect(client?.traceId).toBe(traceId);

    // The order and its outbox row were written in PostgreSQL inside the request.
    const queries = out.spans.filter(
      (s) => s.scope === '@opentelemetry/instrumentation-pg' && s.traceId === traceId,
    );
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => q.kind === CLIENT && q.attributes['db.system.name'] === 'postgresql')).toBe(
      true,
    );

    const sends = out.spans.filter(
      (s) => s.kind === PRODUCER && s.name === 'send payments.events.v1' && s.traceId === traceId,
    );
    expect(sends.length).toBeGreaterThanOrEqual(1);
    expect(sends[0]?.scope).toBe('@opentelemetry/instrumentation-kafkajs');

    const processes = out.spans.filter(
      (s) =>
        s.name === 'process payments.events.v1' &&
        s.attributes['messaging.consumer.group.name'] === out.group &&
        s.attributes['paystream.out_trade_no'] === out.outTradeNo,
    );
    expect(processes).toHaveLength(1);
    const proc = processes[0]!;
    expect(proc.kind).toBe(CONSUMER);
    expect(proc.traceId).toBe(traceId);
    expect(proc.attributes).toMatchObject({
      'paystream.plugin': out.group.replace('paystream.plugin.', ''),
      'paystream.event.type': 'payment.created',
    });
    expect(sends.map((s) => s.spanId)).toContain(proc.parentSpanId);
  });

  it('has exactly one process span per event per group: the kafkajs instrumentation adds no consumer spans', () => {
    const consumerSpans = out.spans.filter(
      (s) => s.scope === '@opentelemetry/instrumentation-kafkajs' && s.kind !== PRODUCER,
    );
    expect(consumerSpans).toEqual([]);
    const perEvent = new Map<string, number>();
    for (const s of out.spans.filter(
      (s) =>
        s.name === 'process payments.events.v1' &&
        s.attributes['messaging.consumer.group.name'] === out.group,
    ))
      perEvent.set(
        String(s.attributes['paystream.event.id']),
        (perEvent.get(String(s.attributes['paystream.event.id'])) ?? 0) + 1,
      );
    expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
  });

  it('names the service and environment from the standard OTEL_* variables', () => {
    expect(out.spans[0]?.resource).toMatchObject({
      'service.name': 'paystream-allinone',
      'deployment.environment.name': 'test',
      'service.version': expect.any(String),
    });
  });

  it('reports the group backlog per plugin, and keeps kafkajs negative-timeout warnings off stderr', () => {
    const plugin = out.group.replace('paystream.plugin.', '');
    expect(out.backlog).toContain(`paystream_plugin_consumer_lag{plugin="${plugin}"} 0`);
    expect(out.backlog).toContain(`paystream_plugin_dead_letters{plugin="${plugin}"} 0`);
    expect(
      out.backlog.some((l) =>
        l.startsWith(`paystream_plugin_events_total{plugin="${plugin}",type="payment.created",outcome="ok"}`),
      ),
    ).toBe(true);
    // kafkajs 2.2.4 set negative timeouts on every idle connection until the bus replaced its
    // request queue's schedule: now none is set, so the filter has nothing to take, and nothing
    // reaches stderr.
    expect(out.droppedWarnings).toBe(0);
    expect(stderr).not.toContain('TimeoutNegativeWarning');
  });
});
