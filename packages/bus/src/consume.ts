// The delivery rules both transports share: decode, dedupe, run the handler with retries and
// backoff, dead-letter what keeps failing, and keep one key's records strictly sequential while
// different keys run side by side (bounded). Transports only fetch records and move offsets.
import { context, SpanStatusCode } from '@opentelemetry/api';
import { fromKafkaMessage, type PaystreamEvent } from '@paystream/events';
import { errorMessage, sleep } from './log.js';
import type { BusMetrics } from './metrics.js';
import { startProcessSpan } from './tracing.js';
import type { BusLogger, EventHandler, RawRecord, SubscribeOptions } from './types.js';

/** A record as fetched, with where it came from (for dead-letter headers). */
export interface FetchedRecord {
  raw: RawRecord;
  partition: number;
  offset: string;
}

/** Why a record went to the dead-letter topic. */
export interface DeadLetterInfo {
  reason: 'handler' | 'malformed';
  error: string;
  attempts: number;
  group: string;
  topic: string;
  partition: number;
  offset: string;
}

/** Dead-letter headers added to the original ones. */
export const DLQ_HEADERS = {
  reason: 'dlq_reason',
  error: 'dlq_error',
  attempts: 'dlq_attempts',
  group: 'dlq_group',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  failedAt: 'dlq_failed_at',
} as const;

/** The dead-letter topic of a group: `<topic>.dlq.<group>`. */
export function deadLetterTopic(topic: string, group: string): string {
  return `${topic}.dlq.${group}`;
}

/** The dead-letter record: original key, value and headers, plus why and where it failed. */
export function deadLetterRecord(raw: RawRecord, info: DeadLetterInfo): RawRecord {
  return {
    key: raw.key,
    value: raw.value,
    headers: {
      ...raw.headers,
      [DLQ_HEADERS.reason]: info.reason,
      [DLQ_HEADERS.error]: info.error.slice(0, 4000),
      [DLQ_HEADERS.attempts]: String(info.attempts),
      [DLQ_HEADERS.group]: info.group,
      [DLQ_HEADERS.topic]: info.topic,
      [DLQ_HEADERS.partition]: String(info.partition),
      [DLQ_HEADERS.offset]: info.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    },
  };
}

/** Thrown when a subscription closes while a record still waits for a retry: it is not committed. */
export class DeliveryAborted extends Error {
  override readonly name = 'DeliveryAborted';
}

/** Subscription options with defaults applied. */
export type ResolvedSubscribeOptions = Required<Omit<SubscribeOptions, 'dedupe'>> &
  Pick<SubscribeOptions, 'dedupe'>;

/** Applies the documented defaults. */
export function resolveSubscribeOptions(opts: SubscribeOptions = {}): ResolvedSubscribeOptions {
  const maxAttempts = opts.maxAttempts ?? 5;
  const concurrency = opts.concurrency ?? 8;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error('maxAttempts must be an integer >= 1');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('concurrency must be an integer >= 1');
  return {
    maxAttempts,
    retryBackoffMs: opts.retryBackoffMs ?? 200,
    concurrency,
    fromBeginning: opts.fromBeginning ?? true,
    dedupe: opts.dedupe,
  };
}

/** Everything {@link deliverBatch} needs from the transport. */
export interface DeliveryDeps {
  topic: string;
  group: string;
  handler: EventHandler;
  opts: ResolvedSubscribeOptions;
  metrics: BusMetrics;
  logger: BusLogger;
  deadLetter(record: RawRecord): Promise<void>;
  /** Set when the subscription is closing: pending retries give up (the batch is then redelivered). */
  signal: AbortSignal;
  /** Called between records so long batches keep the group membership alive. */
  heartbeat?: () => Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

async function backoff(ms: number, signal: AbortSignal): Promise<void> {
  const step = 50;
  for (let waited = 0; waited < ms; waited += step) {
    if (signal.aborted) throw new DeliveryAborted('subscription closing');
    await sleep(Math.min(step, ms - waited));
  }
}

async function deliverOne(rec: FetchedRecord, deps: DeliveryDeps): Promise<void> {
  const { group, topic, metrics } = deps;
  const dead = async (reason: DeadLetterInfo['reason'], error: string, attempts: number, type: string) => {
    await deps.deadLetter(
      deadLetterRecord(rec.raw, {
        reason,
        error,
        attempts,
        group,
        topic,
        partition: rec.partition,
        offset: rec.offset,
      }),
    );
    metrics.deadLetters.inc({ group, reason });
    metrics.handled.inc({ plugin: group, type, outcome: 'dead_lettered' });
    deps.logger.warn({ group, topic, offset: rec.offset, reason, error, attempts }, 'event dead-lettered');
  };

  let event: PaystreamEvent;
  try {
    event = fromKafkaMessage(rec.raw);
  } catch (err) {
    // A record that is not an event can never succeed: no retries, straight to the DLQ.
    await dead('malformed', errorMessage(err), 0, rec.raw.headers.ce_type ?? 'unknown');
    return;
  }
  if (deps.opts.dedupe && (await deps.opts.dedupe.has(group, event.id))) {
    metrics.handled.inc({ plugin: group, type: event.type, outcome: 'duplicate' });
    return;
  }
  const { span, ctx } = startProcessSpan(topic, group, rec.raw.headers, event);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await context.with(ctx, () => deps.handler(event, { attempt, group }));
        if (deps.opts.dedupe) await deps.opts.dedupe.add(group, event.id);
        metrics.handled.inc({ plugin: group, type: event.type, outcome: 'ok' });
        span.setStatus({ code: SpanStatusCode.OK });
        return;
      } catch (err) {
        if (err instanceof DeliveryAborted) throw err;
        span.addEvent('handler failed', { attempt, 'exception.message': errorMessage(err) });
        if (attempt >= deps.opts.maxAttempts) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
          await dead('handler', errorMessage(err), attempt, event.type);
          return;
        }
        metrics.handled.inc({ plugin: group, type: event.type, outcome: 'retried' });
        await backoff(Math.min(deps.opts.retryBackoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS), deps.signal);
      }
    }
  } finally {
    span.end();
  }
}

/** How far a batch got: records before `done` are finished; `error` stopped the rest. */
export interface BatchOutcome {
  /** Length of the finished prefix: the transport may commit up to (and including) records[done - 1]. */
  done: number;
  /** Why the batch stopped early (DeliveryAborted on close, or e.g. an unreachable DLQ). */
  error?: unknown;
}

/**
 * Delivers one fetched batch: records of one key in order, up to `concurrency` keys at a time.
 * Never throws: it reports the finished prefix so the caller commits exactly what was handled.
 */
export async function deliverBatch(
  records: readonly FetchedRecord[],
  deps: DeliveryDeps,
): Promise<BatchOutcome> {
  const byKey = new Map<string, number[]>();
  records.forEach((r, i) => {
    const k = r.raw.key ?? '';
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  const queues = [...byKey.values()];
  const finished = new Array<boolean>(records.length).fill(false);
  let next = 0;
  let error: unknown;
  const worker = async () => {
    while (next < queues.length && error === undefined) {
      const queue = queues[next++]!;
      for (const i of queue) {
        if (error !== undefined) return;
        if (deps.signal.aborted) throw new DeliveryAborted('subscription closing');
        await deliverOne(records[i]!, deps);
        finished[i] = true;
        await deps.heartbeat?.();
      }
    }
  };
  const workers = Array.from({ length: Math.min(deps.opts.concurrency, queues.length) }, () =>
    worker().catch((err: unknown) => {
      error ??= err;
    }),
  );
  await Promise.all(workers);
  const firstOpen = finished.indexOf(false);
  return { done: firstOpen === -1 ? records.length : firstOpen, ...(error === undefined ? {} : { error }) };
}
