import { toKafkaMessage } from '@paystream/events';
import type { FetchedRecord } from '../consume.js';
import { makeEvents } from '../testing/events.js';

/** Events interleaved by key as a partition holds them: k0#1, k1#1, k2#1, k0#2, ... */
export function fetched(prefix: string, keys: number, perKey: number): FetchedRecord[] {
  return makeEvents({ prefix, keys, perKey }).map((e, i) => {
    const m = toKafkaMessage(e);
    return {
      raw: { key: m.key, value: String(m.value), headers: m.headers },
      partition: 0,
      offset: String(i),
    };
  });
}
