// The receiver counts what the telemetry package really sends, in either OTLP/HTTP encoding.
import { startTelemetry, withSpan } from '@paystream/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

/** Exports n spans as a gateway does; the OTLP exporters read their settings from process.env. */
async function exportSpans(n: number, env: Record<string, string>): Promise<void> {
  const set = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env };
  Object.assign(process.env, set);
  try {
    const t = startTelemetry({ serviceName: 'receiver-test', instrument: false });
    for (let i = 0; i < n; i++) await withSpan(t.tracer(), `upstream create ${i}`, {}, async () => {});
    await t.shutdown(); // flushes the batch
  } finally {
    for (const key of Object.keys(set)) delete process.env[key];
  }
}

describe('the bench OTLP receiver', () => {
  it('counts the spans of http/protobuf, the default', async () => {
    const before = receiver.counts().spans;
    await exportSpans(3, {});
    expect(receiver.counts().spans - before).toBe(3);
  });

  it('counts the spans of http/json', async () => {
    const before = receiver.counts().spans;
    await exportSpans(2, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(receiver.counts().spans - before).toBe(2);
  });
});
