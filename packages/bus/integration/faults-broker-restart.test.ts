// Stop and restart a real broker while 10 000 events are published and consumed: every event
// arrives, in order per key, none twice after dedupe. The broker is the test's own (kafka.sh on
// free ports): the one of `make test` serves other packages' suites at the same time.
import type { PaystreamEvent } from '@paystream/events';
import { afterAll, expect, it } from 'vitest';
import { createKafkaBus, type KafkaEventBus } from '../src/index.js';
import {
  expectedSequences,
  GapChecker,
  makeEvents,
  type PrivateBroker,
  runId,
  startPrivateBroker,
  uniqueTopic,
  waitFor,
} from '../src/testing/index.js';
import { fastKafka } from './harness.js';

let bus: KafkaEventBus | undefined;
let broker: PrivateBroker | undefined;
afterAll(async () => {
  await bus?.close();
  await broker?.close();
});

it('loses nothing across a broker restart under load', { timeout: 300_000 }, async () => {
  const topic = uniqueTopic('restart');
  broker = await startPrivateBroker('restart');
  bus = await createKafkaBus({
    brokers: broker.brokers,
    topic,
    clientId: 'fault-restart',
    ...fastKafka,
    retry: { retries: 15, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  const prefix = runId();
  const keys = 50;
  const perKey = 200;
  const events = makeEvents({ prefix, keys, perKey });
  const checker = new GapChecker();
  await bus.subscribe(
    `g-${prefix}`,
    async (e) => {
      checker.record(e);
    },
    { concurrency: 8 },
  );

  let restart: Promise<string> | undefined;
  let republished = 0;
  const publishWithRetry = async (batch: PaystreamEvent[]) => {
    // A publish that fails is sent again, ids unchanged: duplicates are allowed, losses are not.
    for (;;) {
      try {
        await bus!.publish(batch);
        return;
      } catch {
        republished++;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  for (let i = 0; i < events.length; i += 100) {
    // The broker is down before the rest is published, and comes back while it is.
    if (i === 3000) {
      await broker.control('stop');
      restart = broker.control('start');
    }
    await publishWithRetry(events.slice(i, i + 100));
  }
  await restart;
  await waitFor('all 10 000 events after dedupe', () => checker.unique === events.length, {
    timeoutMs: 180_000,
  });
  const report = checker.report(expectedSequences(prefix, keys, perKey));
  console.info(
    `broker restart: ${report.unique} delivered, ${report.duplicates} duplicates, ${republished} re-publishes`,
  );
  expect(report.gaps).toEqual([]);
  expect(report.outOfOrder).toEqual([]);
  expect(report.unique).toBe(10_000);
  expect(await bus.health()).toMatchObject({ ok: true });
});
