import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_CODE, startTracing, upstreamMetrics, withSpan } from './index.js';

describe('upstreamMetrics', () => {
  it('shares one counter and histogram per registry, however often it is asked', async () => {
    const registry = new Registry();
    upstreamMetrics(registry).observe({
      operation: 'refund',
      code: '64',
      category: 'balance',
      seconds: 0.02,
    });
    upstreamMetrics(registry).observe({
      operation: 'refund',
      code: NO_CODE,
      category: 'timeout',
      seconds: 10,
    });
    const text = await registry.metrics();
    expect(text).toContain(
      'paystream_upstream_requests_total{operation="refund",code="64",category="balance"} 1',
    );
    expect(text).toContain(
      'paystream_upstream_requests_total{operation="refund",code="none",category="timeout"} 1',
    );
    expect(text).toContain(
      'paystream_upstream_request_duration_seconds_bucket{le="0.025",operation="refund",code="64"} 1',
    );
  });
});

describe('startTracing', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'telemetry-test', exporter, env: {} });
  afterAll(() => tracing.shutdown());

  it('exports spans, makes them active and propagates W3C trace context', async () => {
    expect(startTracing({ serviceName: 'again' })).toBe(tracing);
    const carrier: Record<string, string> = {};
    await withSpan(tracing.tracer(), 'upstream create', {}, async (span) => {
      expect(trace.getActiveSpan()).toBe(span);
      propagation.inject(context.active(), carrier);
    });
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('upstream create');
    expect(span?.resource.attributes['service.name']).toBe('telemetry-test');
  });

  it('records a failure by error class, not message', async () => {
    exporter.reset();
    await expect(
      withSpan(tracing.tracer(), 'failing', {}, async () => {
        throw new TypeError('secret detail');
      }),
    ).rejects.toThrow(TypeError);
    expect(exporter.getFinishedSpans()[0]?.status).toEqual({ code: 2, message: 'TypeError' });
  });
});
