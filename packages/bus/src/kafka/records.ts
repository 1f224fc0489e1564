import type { KafkaMessage } from 'kafkajs';
import type { RawRecord } from '../types.js';

/** A kafkajs message as the transport-neutral raw record (headers decoded as UTF-8). */
export function rawFromKafka(m: KafkaMessage): RawRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined) headers[k] = one.toString();
  }
  return { key: m.key?.toString() ?? null, value: m.value?.toString() ?? null, headers };
}
