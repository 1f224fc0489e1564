import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelemetry } from './index.js';
import { samplerFromEnv } from './sampler.js';
import { InMemorySpanExporter, SimpleSpanProcessor } from './testing.js';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('recording only while something exports', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('records nothing without an exporter, yet continues the caller’s trace; records once a processor is added', () => {
    const t = startTelemetry({ serviceName: 'quiet', env: {}, instrument: false });
    stop = () => t.shutdown();
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent: CALLER });
    const quiet = t.tracer().startSpan('POST /v1/payments', {}, parent);
    expect(quiet.isRecording()).toBe(false);
    expect(quiet.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(quiet.spanContext().spanId).not.toBe('b7ad6b7169203331');
    // What an event written under this span carries: the caller's trace.
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), quiet), carrier);
    expect(carrier.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-0[01]$/);
    quiet.end();

    const exporter = new InMemorySpanExporter();
    t.addSpanProcessor(new SimpleSpanProcessor({ exporter }));
    const loud = t.tracer().startSpan('POST /v1/payments', {}, parent);
    expect(loud.isRecording()).toBe(true);
    loud.end();
    expect(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).toEqual([
      '0af7651916cd43dd8448eb211c80319c',
    ]);
  });

  it('follows OTEL_TRACES_SAMPLER while exporting', () => {
    const exporter = new InMemorySpanExporter();
    const t = startTelemetry({
      serviceName: 'off',
      env: { OTEL_TRACES_SAMPLER: 'always_off' },
      instrument: false,
      exporter,
    });
    stop = () => t.shutdown();
    t.tracer().startSpan('x').end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe('samplerFromEnv', () => {
  it('maps the specification’s names and refuses others by name', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/ParentBased/);
    expect(
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).toString(),
    ).toMatch(/0\.25/);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /OTEL_TRACES_SAMPLER "sometimes"/,
    );
    expect(() =>
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }),
    ).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
