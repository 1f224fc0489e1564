import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exposition,
  nodeMetrics,
  startTracing,
  upstreamMetrics,
  upstreamPoolMetrics,
  withSpan,
} from './index.js';
import { InMemorySpanExporter } from './testing.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

describe('upstreamMetrics label bounds', () => {
  it('counts codes outside the catalog and unknown wallets as "unknown"', async () => {
    const registry = new Registry();
    const metrics = upstreamMetrics(registry, {
      isKnownCode: (c) => c === '00' || c === '64',
      isKnownWallet: (w) => w === 'WECHATHK',
    });
    metrics.observe({
      operation: 'create',
      code: '999',
      category: 'unknown',
      wallet: 'PAYPAL',
      seconds: 0.01,
    });
    metrics.observe({
      operation: 'refund',
      code: '64',
      category: 'balance',
      wallet: 'WECHATHK',
      seconds: 0.01,
    });
    const text = await registry.metrics();
    expect(text).toContain(
      'paystream_upstream_requests_total{operation="create",code="unknown",category="unknown"} 1',
    );
    expect(text).not.toContain('code="999"');
    expect(text).toContain(
      'paystream_upstream_wallet_requests_total{operation="create",category="unknown",wallet="unknown"} 1',
    );
    expect(text).toContain(
      'paystream_upstream_wallet_requests_total{operation="refund",category="balance",wallet="WECHATHK"} 1',
    );
  });
});

describe('upstreamPoolMetrics', () => {
  it('reads the pool when scraped, and the latest reader wins on a shared registry', async () => {
    const registry = new Registry();
    let reading = { queued: 3, busyConnections: 1, idleConnections: 0 };
    upstreamPoolMetrics(registry, () => reading);
    let text = await registry.metrics();
    expect(text).toContain('paystream_upstream_pool_queued_requests 3');
    expect(text).toContain('paystream_upstream_pool_connections{state="busy"} 1');
    expect(text).toContain('paystream_upstream_pool_connections{state="idle"} 0');
    reading = { queued: 0, busyConnections: 0, idleConnections: 1 };
    text = await registry.metrics();
    expect(text).toContain('paystream_upstream_pool_queued_requests 0');
    expect(text).toContain('paystream_upstream_pool_connections{state="idle"} 1');
    upstreamPoolMetrics(registry, () => ({ queued: 7, busyConnections: 2, idleConnections: 0 }));
    expect(await registry.metrics()).toContain('paystream_upstream_pool_queued_requests 7');
  });
});

describe('exposition', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName: 'metrics-test', exporter, env: {} });
  afterAll(() => tracing.shutdown());

  it('serves exemplars with the trace id in OpenMetrics and leaves the Prometheus format intact', async () => {
    const registry = new Registry();
    nodeMetrics(registry);
    nodeMetrics(registry);
    const metrics = upstreamMetrics(registry);
    let traceId = '';
    await withSpan(tracing.tracer(), 'upstream refund', {}, async (span) => {
      traceId = span.spanContext().traceId;
      metrics.observe({ operation: 'refund', code: '64', category: 'balance', seconds: 0.02 });
    });
    const om = await exposition(registry, OPENMETRICS_ACCEPT);
    expect(om.contentType).toContain('application/openmetrics-text');
    expect(om.body).toMatch(
      new RegExp(
        `paystream_upstream_request_duration_seconds_bucket\\{le="0.025",operation="refund",code="64"\\} 1 # \\{trace_id="${traceId}"\\} 0.02`,
      ),
    );
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    // After an OpenMetrics scrape, the plain format still names counters with _total and has no exemplars.
    const plain = await exposition(registry, 'text/plain');
    expect(plain.contentType).toContain('text/plain');
    expect(plain.body).toContain(
      'paystream_upstream_requests_total{operation="refund",code="64",category="balance"} 1',
    );
    expect(plain.body).not.toContain('trace_id');
    expect(plain.body).toContain('process_cpu_seconds_total');
    expect(plain.body).toContain('nodejs_eventloop_lag_seconds');
  });
});
