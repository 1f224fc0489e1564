import { randomBytes } from 'node:crypto';
import { createEvent, type EventType, type PaystreamEvent } from '@paystream/events';

/** A short random id for names that must not collide between runs (topics, groups, event ids). */
export function runId(): string {
  return randomBytes(4).toString('hex');
}

/** A topic of its own for one test file: `payments.events.v1.test-<name>-<random>`. */
export function uniqueTopic(name: string): string {
  return `payments.events.v1.test-${name}-${runId()}`;
}

/** Options of {@link makeEvents}. */
export interface MakeEventsOptions {
  keys: number;
  perKey: number;
  /** Prefix of outTradeNo and ids, unique per run. */
  prefix?: string;
  type?: EventType;
  traceparent?: string;
}

/**
 * Valid payment events, `perKey` per order with sequences 1..perKey, interleaved round-robin over
 * keys (the order a busy gateway produces). Ids are `<prefix>:<key>:<seq>`.
 */
export function makeEvents(o: MakeEventsOptions): PaystreamEvent[] {
  const prefix = o.prefix ?? runId();
  const out: PaystreamEvent[] = [];
  const time = new Date().toISOString();
  for (let seq = 1; seq <= o.perKey; seq++) {
    for (let k = 0; k < o.keys; k++) {
      const outTradeNo = `${prefix}-${k}`;
      out.push(
        createEvent(
          o.type ?? 'payment.created',
          {
            outTradeNo,
            sequence: seq,
            operation: 'create',
            code: '00',
            category: 'success',
            amountMinor: 100 + seq,
            currency: 'HKD',
            wallet: 'WECHATHK',
            occurredAt: time,
          },
          {
            source: '/paystream/bus-test',
            id: `${prefix}:${k}:${seq}`,
            time,
            ...(o.traceparent ? { traceparent: o.traceparent } : {}),
          },
        ),
      );
    }
  }
  return out;
}

/** `{ key: perKey }` for every key of {@link makeEvents}: what a GapChecker should end with. */
export function expectedSequences(prefix: string, keys: number, perKey: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: keys }, (_, k) => [`${prefix}-${k}`, perKey]));
}
