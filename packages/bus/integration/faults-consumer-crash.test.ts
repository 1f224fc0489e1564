// SIGKILL a consumer process mid-batch: its successor in the same group resumes from the committed
// offset and skips nothing (the file the handlers append to is the side effect we audit).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createKafkaBus } from '../src/index.js';
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

function deliveries(file: string) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, subject, seq] = line.split(' ');
      return { id: id!, subject: subject!, data: { sequence: Number(seq) } };
    });
}

it.each([
  { mode: 'one by one', batch: '0' },
  { mode: 'in batches', batch: '1' },
])('a killed consumer ($mode) is replaced without a gap', { timeout: 240_000 }, async ({ mode, batch }) => {
  const brokers = kafkaTestBrokers();
  const topic = uniqueTopic('sigkill');
  const prefix = runId();
  const out = join(tmpdir(), `paystream-sigkill-${prefix}.log`);
  const bus = await createKafkaBus({ brokers, topic, ...fastKafka });
  try {
    const events = makeEvents({ prefix, keys: 20, perKey: 150 });
    for (let i = 0; i < events.length; i += 500) await bus.publish(events.slice(i, i + 500));
    const env = {
      KAFKA_BROKERS: brokers.join(','),
      TOPIC: topic,
      GROUP: `g-${prefix}`,
      OUT: out,
      BATCH: batch,
    };

    const first = spawnFixture('consumer', { ...env, DELAY_MS: '3' });
    await waitFor('the first consumer to handle 800 events', () => deliveries(out).length >= 800, {
      timeoutMs: 120_000,
    }).catch((err) => {
      throw new Error(`${err}\n${first.output()}`);
    });
    first.kill('SIGKILL');
    expect(await exited(first)).toBe('SIGKILL');
    const handledBeforeKill = deliveries(out).length;
    expect(handledBeforeKill).toBeLessThan(events.length);

    const second = spawnFixture('consumer', { ...env, DELAY_MS: '0' });
    try {
      const checker = new GapChecker();
      await waitFor(
        'the successor to finish the stream',
        () => {
          const c = new GapChecker();
          for (const d of deliveries(out)) c.record(d);
          return c.unique === events.length;
        },
        { timeoutMs: 150_000 },
      ).catch((err) => {
        throw new Error(`${err}\n${second.output()}`);
      });
      for (const d of deliveries(out)) checker.record(d);
      const report = checker.report(expectedSequences(prefix, 20, 150));
      console.info(
        `consumer SIGKILL (${mode}): ${handledBeforeKill} handled before the kill, ${report.duplicates} redelivered after it`,
      );
      expect(report.gaps).toEqual([]);
      expect(report.outOfOrder).toEqual([]);
      expect(report.unique).toBe(3000);
      // Progress is committed while a batch runs, so the successor redoes only the tail that was
      // handled after the last commit, not everything the killed consumer had fetched.
      expect(report.duplicates).toBeLessThan(handledBeforeKill);
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
  } finally {
    await bus.close();
    rmSync(out, { force: true });
  }
});
