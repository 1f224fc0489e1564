// The host's PostgreSQL unreachable for a while (a restart, a failover) while events keep coming on
// Kafka: nothing is dead-lettered for it. The events wait, and once the database is back every one
// takes effect, once, in order, with no sequence gap reported. A dead letter is for an event a
// plugin cannot handle, not for an outage the next attempt outlives: a ledger's entries in the
// dead letters stay out of it until an operator redrives them, and the order's later events are
// booked before them.
import { createKafkaBus, type KafkaEventBus } from '@paystream/bus';
import { kafkaTestBrokers, uniqueTopic, waitFor } from '@paystream/bus/testing';
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import {
  createPostgresTestDatabase,
  type OutageProxy,
  startOutageProxy,
  type TestDatabase,
} from '@paystream/db/testing';
import { silentLogger } from '@paystream/logger';
import type { TypedEvent } from '@paystream/plugin-sdk';
import { orderEvents, runId } from '@paystream/plugin-testing';
import { Registry } from 'prom-client';
import { afterEach, expect, it } from 'vitest';
import { createPluginHost, type PluginHost } from '../src/index.js';
import { type Gate, tallied, tally } from './__fixtures__/tally.js';

const GROUP = 'paystream.plugin.tally';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function setUp({ plugin }: ReturnType<typeof tally>) {
  const testDb: TestDatabase = await createPostgresTestDatabase();
  cleanup.push(() => testDb.drop());
  const proxy: OutageProxy = await startOutageProxy(testDb.url);
  cleanup.push(() => proxy.close());
  const database: Database = openDatabase({ url: proxy.url, onIdleConnectionError: () => undefined });
  cleanup.push(() => database.destroy());
  const registry = new Registry();
  const bus: KafkaEventBus = await createKafkaBus({
    brokers: kafkaTestBrokers(),
    topic: uniqueTopic('db-outage'),
    registry,
    clientId: 'db-outage',
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    maxWaitTimeMs: 100,
    partitions: 3,
  });
  cleanup.push(() => bus.close());
  const host: PluginHost = createPluginHost({
    plugins: [plugin],
    bus,
    database,
    registry,
    apiKeys: [],
    logger: silentLogger,
    outboxPollIntervalMs: 50,
    // Short, as in the test kit: five attempts take 150 ms, far less than the outage.
    retryBackoffMs: 10,
  });
  await host.start();
  cleanup.push(() => host.close());
  const prefix = runId();
  const before = Array.from({ length: 20 }, (_, i) => orderEvents(`${prefix}-a${i}`)).flat();
  const during = Array.from({ length: 40 }, (_, i) => orderEvents(`${prefix}-b${i}`)).flat();
  const subscribed = (es: TypedEvent[]) =>
    es.filter((e) => e.type === 'payment.created' || e.type === 'payment.succeeded');
  const booked = () => tallied(database.db as Kysely<unknown>);
  await bus.publish(before);
  await waitFor('the first events booked', async () => (await booked()).length === subscribed(before).length);

  return {
    proxy,
    bus,
    during,
    /** Every event once, nothing dead-lettered, no gap, after the outage. */
    async allBooked() {
      const all = subscribed([...before, ...during]).map((e) => e.id);
      await waitFor(
        'every event booked after the outage',
        async () => (await booked()).length === all.length,
        {
          timeoutMs: 60_000,
        },
      );
      expect(await booked()).toEqual(all.sort());
      expect(await bus.deadLetterCount(GROUP)).toBe(0);
      const [status] = await host.status();
      expect(status).toMatchObject({ id: 'tally', state: 'running', sequenceGaps: 0 });
    },
  };
}

it('batches: events that arrive while the database is away wait on the topic, then are booked', {
  timeout: 120_000,
}, async () => {
  const t = await setUp(tally());
  await t.proxy.cut();
  await t.bus.publish(t.during);
  // Long enough for the consumer to fetch them and meet the outage many times over.
  await new Promise((r) => setTimeout(r, 3000));
  expect(await t.bus.lag(GROUP)).toBeGreaterThan(0);
  expect(await t.bus.deadLetterCount(GROUP)).toBe(0);
  await t.proxy.restore();
  await t.allBooked();
});

it('one by one: a handler whose database goes away under it waits, not dead-letters', {
  timeout: 120_000,
}, async () => {
  let gate: Gate | undefined;
  const t = await setUp(tally({ batches: false, gate: () => gate }));
  let release = () => {};
  let reached = () => {};
  const held = new Promise<void>((r) => (reached = r));
  gate = { reached: () => reached(), open: new Promise<void>((r) => (release = r)) };
  // Handlers of the next events have passed the host's checks (done ids, sequences) and wait at
  // the gate; the database goes away before they write.
  await t.bus.publish(t.during);
  await held;
  await t.proxy.cut();
  release();
  gate = undefined;
  await new Promise((r) => setTimeout(r, 3000));
  expect(await t.bus.deadLetterCount(GROUP)).toBe(0);
  await t.proxy.restore();
  await t.allBooked();
});
