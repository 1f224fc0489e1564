import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('retention', () => {
  it('keeps sent outbox rows an hour, processed ids a day past the topic, keys 24 h, by default', () => {
    expect(loadConfig({}).retention).toEqual({
      sentOutboxMs: 3_600_000,
      processedEventsMs: 604_800_000 + 86_400_000,
      idempotencyKeysMs: 86_400_000,
      pruneIntervalMs: 60_000,
      pruneBatchSize: 1_000,
      prunePauseMs: 100,
    });
    // The processed ids' default follows the topic's retention.
    expect(loadConfig({ KAFKA_TOPIC_RETENTION_MS: '86400000' }).retention.processedEventsMs).toBe(
      172_800_000,
    );
  });

  it('takes every variable', () => {
    expect(
      loadConfig({
        KAFKA_TOPIC_RETENTION_MS: '60000',
        OUTBOX_SENT_RETENTION_MS: '5000',
        PROCESSED_EVENTS_RETENTION_MS: '60000',
        IDEMPOTENCY_KEY_RETENTION_MS: '172800000',
        PRUNE_INTERVAL_MS: '2000',
        PRUNE_BATCH_SIZE: '500',
        PRUNE_PAUSE_MS: '0',
      }).retention,
    ).toEqual({
      sentOutboxMs: 5_000,
      processedEventsMs: 60_000,
      idempotencyKeysMs: 172_800_000,
      pruneIntervalMs: 2_000,
      pruneBatchSize: 500,
      prunePauseMs: 0,
    });
  });

  it('refuses processed ids kept shorter than the topic, and keys kept under 24 hours', () => {
    expect(
      problemsOf({ PROCESSED_EVENTS_RETENTION_MS: '86400000', IDEMPOTENCY_KEY_RETENTION_MS: '3600000' }),
    ).toEqual([
      {
        variable: 'PROCESSED_EVENTS_RETENTION_MS',
        message:
          'must be at least KAFKA_TOPIC_RETENTION_MS: an event still on the topic can be delivered again, and its id must still be known',
      },
      {
        variable: 'IDEMPOTENCY_KEY_RETENTION_MS',
        message: "must be at least 86400000 (24 hours): the API replays a key's answer that long",
      },
    ]);
    expect(problemsOf({ PRUNE_BATCH_SIZE: '0', OUTBOX_SENT_RETENTION_MS: 'an hour' })).toEqual([
      { variable: 'OUTBOX_SENT_RETENTION_MS', message: 'must be a whole number between 1000 and 2592000000' },
      { variable: 'PRUNE_BATCH_SIZE', message: 'must be a whole number between 1 and 100000' },
    ]);
  });
});
