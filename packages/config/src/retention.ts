// How long the tables that would otherwise grow forever keep their rows, and how they are pruned.
// Each retention is set against what must still find the row (docs/deploying.md, "Retention"):
// - a sent outbox row is needed by nothing once Kafka acknowledged it; an hour keeps it at hand for
//   an investigation ("was this event published, when?");
// - a processed event id must outlive every redelivery of its event, and a consumer group that
//   re-reads from its oldest offset gets every record still on the topic: at least the topic's
//   retention (KAFKA_TOPIC_RETENTION_MS), a day more by default for clocks and slow starts;
// - an Idempotency-Key's stored answer is replayed for 24 hours, as the API documents: the key's
//   retries (the client's own, or a caller's repeat after an unknown outcome) happen within that.
import { z } from 'zod';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The defaults of {@link RetentionConfig}. */
export const RETENTION_DEFAULTS = {
  sentOutboxMs: HOUR,
  idempotencyKeysMs: DAY,
  /** Added to KAFKA_TOPIC_RETENTION_MS to make the processed ids' default. */
  processedEventsMarginMs: DAY,
  pruneIntervalMs: 60_000,
  pruneBatchSize: 1_000,
  prunePauseMs: 100,
} as const;

/** The least an Idempotency-Key is kept: the API promises a replay for 24 hours. */
export const IDEMPOTENCY_KEY_MIN_RETENTION_MS = DAY;

/** Milliseconds `min..max`, `fallback` when unset (undefined: derived from other variables). */
const ms = <F extends number | undefined>(fallback: F, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx): number | F => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** The retention variables, merged into the environment schema. */
export const retentionVariables = {
  OUTBOX_SENT_RETENTION_MS: ms(RETENTION_DEFAULTS.sentOutboxMs, 1_000, 30 * DAY),
  PROCESSED_EVENTS_RETENTION_MS: ms(undefined, 1_000, 10 * 365 * DAY),
  IDEMPOTENCY_KEY_RETENTION_MS: ms(RETENTION_DEFAULTS.idempotencyKeysMs, 1_000, 365 * DAY),
  PRUNE_INTERVAL_MS: ms(RETENTION_DEFAULTS.pruneIntervalMs, 1_000, DAY),
  PRUNE_BATCH_SIZE: ms(RETENTION_DEFAULTS.pruneBatchSize, 1, 100_000),
  PRUNE_PAUSE_MS: ms(RETENTION_DEFAULTS.prunePauseMs, 0, 60_000),
};

type RetentionEnv = { [K in keyof typeof retentionVariables]: z.output<(typeof retentionVariables)[K]> };

/** How long each bounded table keeps its rows, and how pruning runs (every process prunes its tables). */
export interface RetentionConfig {
  /** `paystream_outbox`, `paystream_plugin_outbox`: published rows, from when they were sent. */
  sentOutboxMs: number;
  /** `paystream_processed_events`: from when the event was handled. */
  processedEventsMs: number;
  /** `gateway_idempotency`: from the key's first request. */
  idempotencyKeysMs: number;
  /** From the end of one pruning pass to the next. */
  pruneIntervalMs: number;
  /** Rows deleted per statement. */
  pruneBatchSize: number;
  /** Pause between two statements of a pass. */
  prunePauseMs: number;
}

/** Problems of the retention variables that depend on others. */
export function retentionProblems(
  e: RetentionEnv & { KAFKA_TOPIC_RETENTION_MS: number },
): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (
    e.PROCESSED_EVENTS_RETENTION_MS !== undefined &&
    e.PROCESSED_EVENTS_RETENTION_MS < e.KAFKA_TOPIC_RETENTION_MS
  )
    problems.push({
      variable: 'PROCESSED_EVENTS_RETENTION_MS',
      message:
        'must be at least KAFKA_TOPIC_RETENTION_MS: an event still on the topic can be delivered again, and its id must still be known',
    });
  if (e.IDEMPOTENCY_KEY_RETENTION_MS < IDEMPOTENCY_KEY_MIN_RETENTION_MS)
    problems.push({
      variable: 'IDEMPOTENCY_KEY_RETENTION_MS',
      message: `must be at least ${IDEMPOTENCY_KEY_MIN_RETENTION_MS} (24 hours): the API replays a key's answer that long`,
    });
  return problems;
}

/** The retention settings of a validated environment. */
export function retentionConfig(e: RetentionEnv & { KAFKA_TOPIC_RETENTION_MS: number }): RetentionConfig {
  return {
    sentOutboxMs: e.OUTBOX_SENT_RETENTION_MS,
    processedEventsMs:
      e.PROCESSED_EVENTS_RETENTION_MS ??
      e.KAFKA_TOPIC_RETENTION_MS + RETENTION_DEFAULTS.processedEventsMarginMs,
    idempotencyKeysMs: e.IDEMPOTENCY_KEY_RETENTION_MS,
    pruneIntervalMs: e.PRUNE_INTERVAL_MS,
    pruneBatchSize: e.PRUNE_BATCH_SIZE,
    prunePauseMs: e.PRUNE_PAUSE_MS,
  };
}
