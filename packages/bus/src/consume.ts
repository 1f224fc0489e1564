// The delivery rules both transports share: decode, dedupe, run the handler with retries and
// backoff, dead-letter what keeps failing, and keep one key's records strictly sequential while
// different keys run side by side (bounded). Transports only fetch records and move offsets.
import { context, SpanStatusCode } from '@opentelemetry/api';
import { readKafkaMessage } from '@paystream/events';
import { deliverRun } from './batch.js';
import type { DeliveryDeps, FetchedRecord, ResolvedSubscribeOptions } from './delivery.js';
import { errorMessage, sleep } from './log.js';
import { startProcessSpan } from './tracing.js';
import type {
  BusEvent,
  DeadLetter,
  RawRecord,
  RecordReader,
  RedriveResult,
  SubscribeOptions,
} from './types.js';

export type { DeliveryDeps, FetchedRecord, ResolvedSubscribeOptions } from './delivery.js';

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

/** The group a redrive keeps its position on the dead-letter topic under: `<group>.redrive`. */
export const redriveGroup = (group: string) => `${group}.redrive`;

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

/** The operator's view of a dead-letter record. */
export function deadLetterView(raw: RawRecord, position: string): DeadLetter {
  return {
    ...raw,
    position,
    eventId: raw.headers.ce_id,
    type: raw.headers.ce_type,
    reason: raw.headers[DLQ_HEADERS.reason],
    error: raw.headers[DLQ_HEADERS.error],
    attempts: Number(raw.headers[DLQ_HEADERS.attempts] ?? 0),
    failedAt: raw.headers[DLQ_HEADERS.failedAt],
  };
}

/** Thrown when a subscription closes while a record still waits for a retry: it is not committed. */
export class DeliveryAborted extends Error {
  override readonly name = 'DeliveryAborted';
}

/** Applies the documented defaults. */
export function resolveSubscribeOptions<E extends BusEvent>(
  opts: SubscribeOptions<E> = {},
): ResolvedSubscribeOptions {
  const maxAttempts = opts.maxAttempts ?? 5;
  const concurrency = opts.concurrency ?? 8;
  const maxBatchSize = opts.maxBatchSize ?? 500;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error('maxAttempts must be an integer >= 1');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('concurrency must be an integer >= 1');
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
    throw new Error('maxBatchSize must be an integer >= 1');
  return {
    read: (opts.read as RecordReader<BusEvent> | undefined) ?? readKafkaMessage,
    maxAttempts,
    retryBackoffMs: opts.retryBackoffMs ?? 200,
    concurrency,
    fromBeginning: opts.fromBeginning ?? false,
    dedupe: opts.dedupe,
    batch: opts.batch as ResolvedSubscribeOptions['batch'],
    maxBatchSize,
    transient: opts.transient,
  };
}

const MAX_BACKOFF_MS = 30_000;
// An outage's retries come back sooner than a failing handler's: once the database is back, the
// waiting records should go within seconds.
const MAX_TRANSIENT_BACKOFF_MS = 5_000;
const HEARTBEAT_EVERY_MS = 1_000;

/** Waits `ms`, giving up when the subscription closes and telling the group it is alive meanwhile. */
async function backoff(ms: number, deps: Pick<DeliveryDeps, 'signal' | 'heartbeat'>): Promise<void> {
  const step = 50;
  let sinceBeat = 0;
  for (let waited = 0; waited < ms; waited += step) {
    if (deps.signal.aborted) throw new DeliveryAborted('subscription closing');
    await sleep(Math.min(step, ms - waited));
    sinceBeat += step;
    // A record waiting out an outage must not cost the consumer its place in the group.
    if (sinceBeat >= HEARTBEAT_EVERY_MS) {
      sinceBeat = 0;
      await deps.heartbeat?.();
    }
  }
}

/** The subscription's `transient` verdict on `err`; a test that itself fails says no. */
async function isTransient(test: ResolvedSubscribeOptions['transient'], err: unknown): Promise<boolean> {
  try {
    return (await test?.(err)) === true;
  } catch {
    return false;
  }
}

/** Delivers one record: read, dedupe, handle with retries, dead-letter what keeps failing. */
export async function deliverOne(
  rec: FetchedRecord,
  deps: DeliveryDeps,
): Promise<'ok' | 'dead_lettered' | 'skipped'> {
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

  let event: BusEvent;
  try {
    const read = deps.opts.read(rec.raw);
    if (read.kind === 'unknown_type') {
      // A type newer than this release: compatible by the events README, so skip and count it.
      metrics.handled.inc({ plugin: group, type: 'unknown', outcome: 'skipped' });
      deps.logger.debug({ group, type: read.type, id: read.id }, 'event of an unknown type skipped');
      return 'skipped';
    }
    event = read.event;
  } catch (err) {
    // A record that is not an event can never succeed: no retries, straight to the DLQ.
    await dead('malformed', errorMessage(err), 0, rec.raw.headers.ce_type ?? 'unknown');
    return 'dead_lettered';
  }
  if (deps.opts.dedupe && (await deps.opts.dedupe.has(group, event.id))) {
    metrics.handled.inc({ plugin: group, type: event.type, outcome: 'duplicate' });
    return 'ok';
  }
  const { span, ctx } = startProcessSpan(topic, group, rec.raw.headers, event);
  let failures = 0;
  let waiting = false;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await context.with(ctx, () => deps.handler(event, { attempt, group, signal: deps.signal }));
        if (deps.opts.dedupe) await deps.opts.dedupe.add(group, event.id);
        metrics.handled.inc({ plugin: group, type: event.type, outcome: 'ok' });
        span.setStatus({ code: SpanStatusCode.OK });
        return 'ok';
      } catch (err) {
        if (err instanceof DeliveryAborted) throw err;
        const transient = await isTransient(deps.opts.transient, err);
        span.addEvent('handler failed', { attempt, transient, 'exception.message': errorMessage(err) });
        if (!transient) failures += 1;
        if (failures >= deps.opts.maxAttempts) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
          await dead('handler', errorMessage(err), attempt, event.type);
          return 'dead_lettered';
        }
        metrics.handled.inc({ plugin: group, type: event.type, outcome: 'retried' });
        if (transient && !waiting) {
          waiting = true;
          deps.logger.warn(
            { group, topic, offset: rec.offset, error: errorMessage(err) },
            'handler met an outage; the event waits for it to end',
          );
        }
        const wait = deps.opts.retryBackoffMs * 2 ** Math.min(attempt - 1, 20);
        await backoff(Math.min(wait, transient ? MAX_TRANSIENT_BACKOFF_MS : MAX_BACKOFF_MS), deps);
      }
    }
  } finally {
    span.end();
  }
}

/** Hands one dead letter to the handler again (retries, dedupe, DLQ as usual) and tallies it. */
export async function redriveOne(
  rec: FetchedRecord,
  deps: DeliveryDeps,
  result: RedriveResult,
): Promise<void> {
  result.attempted += 1;
  if ((await deliverOne(rec, deps)) === 'dead_lettered') result.failed += 1;
  else result.redriven += 1;
}

/** How far a batch got: records before `done` are finished; `error` stopped the rest. */
export interface BatchOutcome {
  /** Length of the finished prefix: the transport may commit up to (and including) records[done - 1]. */
  done: number;
  /** Why the batch stopped early (DeliveryAborted on close, or e.g. an unreachable DLQ). */
  error?: unknown;
}

/**
 * Delivers one fetched batch and reports the finished prefix so the caller commits exactly what was
 * handled (a crash then redelivers only what came after the last progress). Never throws.
 *
 * With a batch handler, runs of up to `maxBatchSize` records go to it one run after the other (so
 * one key's order holds); a run it refuses is delivered one by one before the next run starts.
 * Without one, records go one by one: see {@link deliverEach}.
 */
export async function deliverBatch(
  records: readonly FetchedRecord[],
  deps: DeliveryDeps,
): Promise<BatchOutcome> {
  if (!deps.opts.batch) return deliverEach(records, deps);
  const progress = progressReporter(deps.progress);
  let done = 0;
  let error: unknown;
  while (done < records.length && error === undefined) {
    const base = done;
    const run = records.slice(base, base + deps.opts.maxBatchSize);
    try {
      if (deps.signal.aborted) throw new DeliveryAborted('subscription closing');
      if (await deliverRun(run, deps)) done += run.length;
      else {
        const each = await deliverEach(run, deps, (d) => progress.report(base + d));
        done += each.done;
        error = each.error;
      }
      progress.report(done);
      if (error === undefined) await deps.heartbeat?.();
    } catch (err) {
      error ??= err;
    }
  }
  await progress.settled();
  return { done, ...(error === undefined ? {} : { error }) };
}

/**
 * Delivers records one by one: records of one key in order, up to `concurrency` records at a time,
 * started in offset order so the finished prefix grows steadily and can be committed while the
 * batch is still running. `report` receives that prefix (default: `deps.progress`, throttled).
 */
async function deliverEach(
  records: readonly FetchedRecord[],
  deps: DeliveryDeps,
  report?: (done: number) => void,
): Promise<BatchOutcome> {
  const finished = new Array<boolean>(records.length).fill(false);
  let done = 0;
  let error: unknown;
  const slots = semaphore(deps.opts.concurrency);
  const reporter = report ? undefined : progressReporter(deps.progress);
  const progress = { report: report ?? ((d: number) => reporter?.report(d)) };

  // One chain per key: a record starts when the previous record of its key has finished.
  const tails = new Map<string, Promise<void>>();
  const runs = records.map((record, i) => {
    const key = record.raw.key ?? '';
    const run = (tails.get(key) ?? Promise.resolve()).then(async () => {
      await slots.acquire();
      try {
        if (error !== undefined) return;
        if (deps.signal.aborted) throw new DeliveryAborted('subscription closing');
        await deliverOne(record, deps);
        finished[i] = true;
        while (done < records.length && finished[done]) done += 1;
        progress.report(done);
        await deps.heartbeat?.();
      } catch (err) {
        error ??= err;
      } finally {
        slots.release();
      }
    });
    tails.set(key, run);
    return run;
  });
  await Promise.all(runs);
  await reporter?.settled();
  return { done, ...(error === undefined ? {} : { error }) };
}

/** A counting semaphore: at most `size` holders at once, waiters served first come, first served. */
function semaphore(size: number) {
  let held = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(): Promise<void> {
      if (held < size) {
        held += 1;
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else held -= 1;
    },
  };
}

// Commit progress every so many records or so much time, one commit at a time: often enough that
// a crash redelivers little, rarely enough that commits do not dominate the broker round trips.
const PROGRESS_EVERY_RECORDS = 50;
const PROGRESS_EVERY_MS = 500;

function progressReporter(commit: ((done: number) => Promise<void>) | undefined) {
  let reported = 0;
  let reportedAt = Date.now();
  let inFlight: Promise<void> = Promise.resolve();
  let busy = false;
  return {
    report(done: number): void {
      if (!commit || busy || done === reported) return;
      if (done - reported < PROGRESS_EVERY_RECORDS && Date.now() - reportedAt < PROGRESS_EVERY_MS) return;
      busy = true;
      reported = done;
      reportedAt = Date.now();
      // A failed progress commit is harmless: the batch's final commit covers the same offsets.
      inFlight = commit(done)
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    },
    settled: () => inFlight,
  };
}
