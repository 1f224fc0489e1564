import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CE_HEADERS,
  createEvent,
  EVENT_TYPES,
  EVENTS_TOPIC,
  EventValidationError,
  eventJsonSchemas,
  fromKafkaMessage,
  type PaymentEventData,
  toKafkaMessage,
  validateEvent,
} from './index.js';

const data = (over: Partial<PaymentEventData> = {}): PaymentEventData => ({
  outTradeNo: 'ORD-1',
  sequence: 1,
  operation: 'create',
  code: '00',
  category: 'success',
  amountMinor: 1234,
  currency: 'HKD',
  wallet: 'WECHATHK',
  occurredAt: '2026-01-02T03:04:05.000Z',
  ...over,
});

describe('event catalogue', () => {
  it('keeps the fixed topic name', () => {
    expect(EVENTS_TOPIC).toBe('payments.events.v1');
  });

  it('builds a CloudEvents 1.0 envelope keyed by outTradeNo', () => {
    const e = createEvent('payment.created', data(), { source: '/paystream/gateway', id: 'evt-1' });
    expect(e).toMatchObject({
      specversion: '1.0',
      id: 'evt-1',
      type: 'payment.created',
      subject: 'ORD-1',
      datacontenttype: 'application/json',
      dataschema: 'urn:paystream:schema:payment.created:v1',
    });
    expect(e.traceparent).toBeUndefined();
  });

  it('names every bad field', () => {
    const bad = { ...createEvent('payment.failed', data({ code: '64' }), { source: 's' }) } as Record<
      string,
      unknown
    >;
    bad.data = { ...data(), amountMinor: 1.5, wallet: 'PAYPAL', sequence: 0 };
    bad.time = 'yesterday';
    try {
      validateEvent(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EventValidationError);
      const fields = (err as EventValidationError).errors.map((x) => x.field).sort();
      expect(fields).toEqual(['data.amountMinor', 'data.sequence', 'data.wallet', 'time']);
    }
  });

  it('allows a null code only for an unknown outcome', () => {
    expect(
      createEvent('payment.pending', data({ code: null, category: 'unknown' }), { source: 's' }).data.code,
    ).toBe(null);
    expect(() => createEvent('payment.failed', data({ code: null }), { source: 's' })).toThrow(/data\.code/);
  });

  it('requires refunds to name the refund', () => {
    expect(() =>
      createEvent('refund.failed', data({ operation: 'refund', code: '64' }), { source: 's' }),
    ).toThrow(/data\.refundNo/);
    const ok = createEvent(
      'refund.succeeded',
      data({ operation: 'refund', refundNo: 'R1', refundAmountMinor: 100, refundedTotalMinor: 100 }),
      { source: 's' },
    );
    expect(ok.data.refundNo).toBe('R1');
  });

  it('rejects unknown types, unknown fields and a subject that is not the order', () => {
    const e = createEvent('payment.succeeded', data(), { source: 's' });
    expect(() => validateEvent({ ...e, type: 'payment.exploded' })).toThrow(EventValidationError);
    expect(() => validateEvent({ ...e, extra: 1 })).toThrow(EventValidationError);
    expect(() => validateEvent({ ...e, subject: 'ORD-2' })).toThrow(/subject/);
  });

  it('publishes a JSON Schema for every type, data included', () => {
    for (const t of EVENT_TYPES) {
      const s = eventJsonSchemas[t] as {
        event: { properties: Record<string, unknown> };
        data: { required: string[] };
      };
      expect(Object.keys(s.event.properties)).toContain('data');
      expect(s.data.required).toEqual(
        expect.arrayContaining(['outTradeNo', 'sequence', 'code', 'occurredAt']),
      );
    }
    const refund = eventJsonSchemas['refund.failed'].data as { required: string[] };
    expect(refund.required).toContain('refundNo');
  });
});

describe('CloudEvents Kafka binary binding', () => {
  it('round-trips through ce_* headers, key and JSON value', () => {
    const e = createEvent(
      'payment.failed',
      data({ code: '64', category: 'balance', message: 'Insufficient' }),
      {
        source: '/paystream/gateway',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    const m = toKafkaMessage(e);
    expect(m.key).toBe('ORD-1');
    expect(m.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: e.id,
      ce_type: 'payment.failed',
      ce_source: '/paystream/gateway',
      ce_time: e.time,
      'content-type': 'application/json',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(JSON.parse(String(m.value))).toEqual(e.data);
    const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(
      fromKafkaMessage({ key: Buffer.from(m.key), value: Buffer.from(String(m.value)), headers }),
    ).toEqual(e);
  });

  it('rejects a record whose headers or value are not an event', () => {
    const m = toKafkaMessage(createEvent('payment.closed', data({ operation: 'close' }), { source: 's' }));
    expect(() => fromKafkaMessage({ ...m, value: 'not json' })).toThrow(/data/);
    const { [CE_HEADERS.type]: _type, ...noType } = m.headers;
    expect(() => fromKafkaMessage({ ...m, headers: noType })).toThrow(/type/);
  });
});

describe('trace context', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('fills traceparent from the active span', () => {
    const tracer = trace.getTracer('test');
    tracer.startActiveSpan('http request', (span) => {
      const e = createEvent('payment.created', data(), { source: 's' });
      const { traceId, spanId } = span.spanContext();
      expect(e.traceparent).toBe(`00-${traceId}-${spanId}-01`);
      span.end();
    });
  });
});
