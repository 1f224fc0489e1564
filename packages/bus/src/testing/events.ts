import { randomBytes } from 'node:crypto';
import {
  createEvent,
  type EventOf,
  type EventType,
  type PaymentEventData,
  REFUND_TYPES,
  UNKNOWN_OUTCOME_TYPES,
} from '@paystream/events';

/** A short random id for names that must not collide between runs (topics, groups, event ids). */
export function runId(): string {
  return randomBytes(4).toString('hex');
}

/** A topic of its own for one test file: `payments.events.v1.test-<name>-<random>`. */
export function uniqueTopic(name: string): string {
  return `payments.events.v1.test-${name}-${runId()}`;
}

/** Options of {@link makeEvents}. */
export interface MakeEventsOptions<T extends EventType = EventType> {
  /** Orders. Default 1. */
  keys?: number;
  /** Events per order. Default 1. */
  perKey?: number;
  /** Prefix of outTradeNo and ids, unique per run. */
  prefix?: string;
  /** Default `payment.created`; the data follows the type's rules (a refund names its refund). */
  type?: T;
  traceparent?: string;
  /** Overrides of the generated data (amounts, wallet, code, ...). */
  data?: Partial<PaymentEventData>;
}

// What each type's data looks like when nothing is overridden: failures carry a failure code,
// unknown outcomes none, refunds name their refund.
function dataFor(type: EventType, seq: number): Partial<PaymentEventData> {
  const refund = (REFUND_TYPES as readonly string[]).includes(type);
  const unknown = (UNKNOWN_OUTCOME_TYPES as readonly string[]).includes(type);
  const failed = type.endsWith('_failed') || type.endsWith('.failed');
  const operation = refund
    ? 'refund'
    : type.startsWith('payment.cancel')
      ? 'cancel'
      : type.startsWith('payment.close')
        ? 'close'
        : type === 'payment.query_failed'
          ? 'query'
          : type === 'payment.succeeded'
            ? 'notify'
            : 'create';
  return {
    operation,
    code: unknown ? null : failed ? '64' : '00',
    category: unknown ? 'unknown' : failed ? 'balance' : 'success',
    ...(refund ? { refundNo: `R${seq}`, refundAmountMinor: 10 + seq, refundedTotalMinor: 10 + seq } : {}),
  };
}

/**
 * Valid payment events, `perKey` per order with sequences 1..perKey, interleaved round-robin over
 * keys (the order a busy gateway produces). Ids are `<prefix>:<key>:<seq>`.
 */
export function makeEvents<T extends EventType = 'payment.created'>(
  o: MakeEventsOptions<T> = {},
): EventOf<T>[] {
  const prefix = o.prefix ?? runId();
  const type = o.type ?? 'payment.created';
  const out: EventOf<T>[] = [];
  const time = new Date().toISOString();
  for (let seq = 1; seq <= (o.perKey ?? 1); seq++) {
    for (let k = 0; k < (o.keys ?? 1); k++) {
      const outTradeNo = `${prefix}-${k}`;
      const event = createEvent(
        type,
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
          ...dataFor(type, seq),
          ...o.data,
        },
        {
          source: '/paystream/bus-test',
          id: `${prefix}:${k}:${seq}`,
          time,
          ...(o.traceparent ? { traceparent: o.traceparent } : {}),
        },
      );
      out.push(event as unknown as EventOf<T>);
    }
  }
  return out;
}

/** `{ key: perKey }` for every key of {@link makeEvents}: what a GapChecker should end with. */
export function expectedSequences(prefix: string, keys: number, perKey: number): Record<string, number> {
  return Object.fromEntries(Array.from({ length: keys }, (_, k) => [`${prefix}-${k}`, perKey]));
}
