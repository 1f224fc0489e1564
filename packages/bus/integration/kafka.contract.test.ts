import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { expect, it } from 'vitest';
import { untilGroupIdle } from '../src/kafka/offsets.js';
import { kafkaTestBrokers, makeEvents, runId, waitFor } from '../src/testing/index.js';
import { eventBusContract } from './contract.js';
import { kafkaHarness } from './harness.js';
import { exited, spawnFixture } from './spawn.js';

eventBusContract(kafkaHarness);

it('a reset waits for a killed consumer to leave its group, and names a group whose consumer still runs', async () => {
  const o = await kafkaHarness.open();
  const admin = new Kafka({ brokers: kafkaTestBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const out = join(mkdtempSync(join(tmpdir(), 'paystream-reset-')), 'deliveries.txt');
  const group = `g-reset-${runId()}`;
  const consumer = spawnFixture('consumer', {
    KAFKA_BROKERS: kafkaTestBrokers().join(','),
    TOPIC: o.topic,
    GROUP: group,
    OUT: out,
    DELAY_MS: '0',
  });
  try {
    await o.bus.publish(makeEvents({ keys: 4, perKey: 2 }));
    const delivered = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    await waitFor('delivery', () => delivered() === 8);
    await expect(untilGroupIdle(admin, group, 1_500)).rejects.toThrow(
      new RegExp(`group ${group} still has running consumers \\(state \\w+: .+\\); stop them first`),
    );
    // Killed, it never leaves: the group keeps it as a member until its session times out (6 s),
    // and Kafka refuses the group's offsets until then.
    consumer.kill('SIGKILL');
    await exited(consumer);
    await o.bus.resetOffsets(group);
    expect(await o.bus.lag(group)).toBe(8);
  } finally {
    consumer.kill('SIGKILL');
    await admin.disconnect();
    await o.cleanup();
  }
});
