import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, metrics, propagation } from '@opentelemetry/api';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions, servicePackage, startTelemetry, withSpan } from './index.js';
import { instrumentations } from './sdk.js';
import { InMemorySpanExporter, SimpleSpanProcessor } from './testing.js';

describe('startTelemetry', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('exports nothing when no OTEL_* variable asks for it, yet keeps context and accepts a processor later', async () => {
    const t = startTelemetry({ serviceName: 'quiet', env: {}, instrument: false });
    stop = () => t.shutdown();
    expect(t.exporting).toBe(false);
    expect(startTelemetry({ serviceName: 'second' })).toBe(t);
    const exporter = new InMemorySpanExporter();
    t.addSpanProcessor(new SimpleSpanProcessor({ exporter }));
    await withSpan(t.tracer(), 'upstream refund', {}, async () => {});
    const [span] = exporter.getFinishedSpans();
    expect(span?.resource.attributes).toMatchObject({
      'service.name': 'quiet',
      'deployment.environment.name': 'development',
    });
  });

  it('propagates W3C trace context and baggage without loading the NodeSDK when nothing exports', async () => {
    const t = startTelemetry({ serviceName: 'quiet', env: {}, instrument: false });
    stop = () => t.shutdown();
    const carrier: Record<string, string> = {};
    const withBaggage = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    await context.with(withBaggage, () =>
      withSpan(t.tracer(), 'publish', {}, async () => {
        propagation.inject(context.active(), carrier);
      }),
    );
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(carrier.baggage).toBe('tenant=acme');
  });

  it('exports over OTLP when an endpoint is set, and not when the traces exporter is none', async () => {
    const on = startTelemetry({
      serviceName: 'otlp',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' },
      instrument: false,
    });
    expect(on.exporting).toBe(true);
    await on.shutdown();
    const off = startTelemetry({
      serviceName: 'none',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_EXPORTER: 'none' },
      instrument: false,
    });
    stop = () => off.shutdown();
    expect(off.exporting).toBe(false);
  });
});

describe('what leaves besides spans', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('an OTLP endpoint alone exports traces only: no OTel meter provider, no pino log records', async () => {
    const before = metrics.getMeterProvider();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' };
    const t = startTelemetry({ serviceName: 'traces-only', env, instrument: false });
    stop = () => t.shutdown();
    expect(t.exporting).toBe(true);
    expect(metrics.getMeterProvider()).toBe(before);
    const pino = instrumentations(env).find((i) => i instanceof PinoInstrumentation);
    expect(pino?.getConfig()).toMatchObject({ disableLogSending: true });
  });

  it('exports pino log records when OTEL_LOGS_EXPORTER names an exporter', () => {
    const pino = instrumentations({ OTEL_LOGS_EXPORTER: 'otlp' }).find(
      (i) => i instanceof PinoInstrumentation,
    );
    expect(pino?.getConfig()).toMatchObject({ disableLogSending: false });
  });

  it('makes no express spans (the http SERVER span carries the route)', () => {
    const express = instrumentations({}).find((i) => i instanceof ExpressInstrumentation);
    expect(express?.getConfig().ignoreLayersType).toEqual(
      expect.arrayContaining(['middleware', 'router', 'request_handler']),
    );
  });
});

describe('servicePackage', () => {
  it('names the service after the nearest package.json above the entry file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemetry-pkg-'));
    try {
      mkdirSync(join(dir, 'dist'));
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: '@paystream/gateway', version: '1.2.3' }),
      );
      expect(servicePackage(join(dir, 'dist', 'main.js'))).toEqual({
        name: 'paystream-gateway',
        version: '1.2.3',
      });
      expect(servicePackage('/no/such/place/main.js')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loggerOptions', () => {
  it('writes JSON lines unless asked for pretty output (make start on a terminal)', () => {
    expect(loggerOptions({ name: 'gw', pretty: false })).toEqual({ name: 'gw', level: 'info' });
    const pretty = loggerOptions({ name: 'gw', level: 'debug', pretty: true });
    const transport = pretty.transport as { target: string; options: Record<string, unknown> };
    expect(transport.target).toMatch(/pino-pretty/);
    expect(transport.options).toMatchObject({ singleLine: true });
  });
});
