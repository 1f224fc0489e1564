// Crash the outbox relay between publish and mark-sent: the next relay re-sends that batch with
// the same event ids, consumers dedupe them, and per-key order holds.
import { migrateToLatest, openDatabase } from '@paystream/db';
import { createTestDatabase } from '@paystream/db/testing';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import {
  createKafkaBus,
  createOutboxRelay,
  enqueueEvents,
  memoryProcessedIds,
  outboxMigrations,
} from '../src/index.js';
import {
  expectedSequences,
  GapChecker,
  kafkaTestBrokers,
  makeEvents,
  runId,
  uniqueTopic,
  waitFor,
} from '../src/testing/index.js';
import { fastKafka } from './harness.js';
import { exited, spawnFixture } from './spawn.js';

it('re-sent events after a relay crash are deduped and stay in order', { timeout: 180_000 }, async () => {
  const brokers = kafkaTestBrokers();
  const topic = uniqueTopic('relay');
  const prefix = runId();
  // PostgreSQL, shared by the test and both relay processes like a real deployment's database.
  const testDb = await createTestDatabase('postgres');
  const url = testDb.url;
  const { db, destroy } = openDatabase({ url });
  const registry = new Registry();
  const bus = await createKafkaBus({ brokers, topic, registry, ...fastKafka });
  try {
    await migrateToLatest(db, 'outbox', outboxMigrations);
    const events = makeEvents({ prefix, keys: 40, perKey: 25 });
    for (let i = 0; i < events.length; i += 20) await enqueueEvents(db, events.slice(i, i + 20));

    const env = { KAFKA_BROKERS: brokers.join(','), TOPIC: topic, DATABASE_URL: url };
    const crashing = spawnFixture('relay', { ...env, CRASH_AFTER_BATCHES: '3' });
    expect(await exited(crashing)).toBe('SIGKILL');
    const relay = createOutboxRelay({ db, bus });
    expect(await relay.pending()).toBe(800); // 3 batches of 100 published, only 2 marked sent

    const survivor = spawnFixture('relay', env);
    expect(await exited(survivor)).toBe(0);
    expect(survivor.output()).toContain('flushed 800');
    expect(await relay.pending()).toBe(0);

    const store = memoryProcessedIds();
    const group = `g-${prefix}`;
    const checker = new GapChecker();
    let raw = 0;
    await bus.subscribe(
      group,
      async (e) => {
        checker.record(e);
      },
      { dedupe: store, fromBeginning: true },
    );
    await bus.subscribe(
      `${group}-raw`,
      async () => {
        raw++;
      },
      { fromBeginning: true },
    );
    await waitFor('every event', () => checker.unique === 1000 && raw === 1100, { timeoutMs: 120_000 });
    const report = checker.report(expectedSequences(prefix, 40, 25));
    expect(report).toMatchObject({ unique: 1000, duplicates: 0, gaps: [], outOfOrder: [] });
    expect(raw).toBe(1100); // the 100 re-sent events reached Kafka twice ...
    const dupes = (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'paystream_plugin_events_total')!
      .values.filter((v) => v.labels.plugin === group && v.labels.outcome === 'duplicate')
      .reduce((a, v) => a + v.value, 0);
    expect(dupes).toBe(100); // ... and the deduping group skipped exactly those
  } finally {
    await bus.close();
    await destroy();
    await testDb.drop();
  }
});
