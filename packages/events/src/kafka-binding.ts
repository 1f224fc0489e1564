// CloudEvents 1.0 Kafka protocol binding, binary content mode: attributes travel as `ce_*` headers,
// the value is the data alone, and `content-type` carries datacontenttype. The key is the order's
// outTradeNo so every event of one order lands on one partition, in order.

import type { PaystreamEvent } from './types.js';
import { validateEvent } from './validate.js';

/** The header names of the binary binding plus W3C trace context. */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  subject: 'ce_subject',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** A Kafka record as producers take it. */
export interface KafkaRecord {
  key: string;
  value: Buffer | string;
  headers: Record<string, string>;
}

/** A Kafka record as consumers receive it (kafkajs shape: Buffers, possibly arrays, possibly absent). */
export interface IncomingKafkaRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** The envelope every Paystream CloudEvent shares (payment events, ledger entries). */
export type CloudEventEnvelope = Omit<PaystreamEvent, 'type' | 'data'> & { type: string; data: unknown };

/** Encodes an event for Kafka (binary content mode). */
export function toKafkaMessage(e: CloudEventEnvelope): KafkaRecord {
  const headers: Record<string, string> = {
    [CE_HEADERS.specversion]: e.specversion,
    [CE_HEADERS.id]: e.id,
    [CE_HEADERS.type]: e.type,
    [CE_HEADERS.source]: e.source,
    [CE_HEADERS.subject]: e.subject,
    [CE_HEADERS.time]: e.time,
    [CE_HEADERS.contentType]: e.datacontenttype,
  };
  if (e.dataschema) headers[CE_HEADERS.dataschema] = e.dataschema;
  if (e.traceparent) headers[CE_HEADERS.traceparent] = e.traceparent;
  if (e.tracestate) headers[CE_HEADERS.tracestate] = e.tracestate;
  return { key: e.subject, value: JSON.stringify(e.data), headers };
}

/** Reads one header as a string (kafkajs may hand over Buffers or repeated headers). */
export function headerString(headers: IncomingKafkaRecord['headers'], name: string): string | undefined {
  const raw = headers?.[name];
  const one = Array.isArray(raw) ? raw[0] : raw;
  if (one === undefined) return undefined;
  return typeof one === 'string' ? one : one.toString('utf8');
}

/** Decodes and validates a binary-mode record; throws EventValidationError naming the bad fields. */
export function fromKafkaMessage(m: IncomingKafkaRecord): PaystreamEvent {
  return validateEvent(cloudEventFromKafka(m));
}

/** The CloudEvent a binary-mode record carries, not validated yet (the data parsed as JSON when it is). */
export function cloudEventFromKafka(m: IncomingKafkaRecord): Record<string, unknown> {
  const h = (name: string) => headerString(m.headers, name);
  const text = m.value === null ? 'null' : typeof m.value === 'string' ? m.value : m.value.toString('utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  const e: Record<string, unknown> = {
    specversion: h(CE_HEADERS.specversion),
    id: h(CE_HEADERS.id),
    type: h(CE_HEADERS.type),
    source: h(CE_HEADERS.source),
    subject: h(CE_HEADERS.subject) ?? (m.key == null ? undefined : m.key.toString()),
    time: h(CE_HEADERS.time),
    datacontenttype: h(CE_HEADERS.contentType),
    data,
  };
  for (const [attr, name] of [
    ['dataschema', CE_HEADERS.dataschema],
    ['traceparent', CE_HEADERS.traceparent],
    ['tracestate', CE_HEADERS.tracestate],
  ] as const) {
    const v = h(name);
    if (v !== undefined) e[attr] = v;
  }
  return e;
}
