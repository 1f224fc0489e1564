import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseBrokers } from '@paystream/config';

const run = promisify(execFile);

/** The brokers of the Kafka test suites; fails loudly (never skips) when none are configured. */
export function kafkaTestBrokers(): string[] {
  const brokers = parseBrokers(process.env.KAFKA_BROKERS);
  if (brokers.length === 0) {
    throw new Error(
      'KAFKA_BROKERS is unset: the Kafka suites need a broker. Run `make kafka` (then ' +
        'KAFKA_BROKERS=127.0.0.1:9092) or `make test`, which starts one.',
    );
  }
  return brokers;
}

/** infra/kafka/kafka.sh of this checkout. */
export function kafkaScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(resolve(dir, 'infra/kafka/kafka.sh'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('infra/kafka/kafka.sh not found above packages/bus');
    dir = up;
  }
  return resolve(dir, 'infra/kafka/kafka.sh');
}

/**
 * Drives the local broker for fault tests (stop/start keep the data folder). Only the broker that
 * kafka.sh runs can be restarted, so these tests need KAFKA_BROKERS=127.0.0.1:9092 from `make kafka`.
 */
export async function kafkaControl(
  command: 'start' | 'stop' | 'restart' | 'kill' | 'status',
): Promise<string> {
  // kafka.sh picks its ports from KAFKA_PORT/KAFKA_CONTROLLER_PORT. If those did not reach this
  // process while KAFKA_BROKERS points elsewhere, a restart would stop this checkout's broker and
  // start it on another checkout's ports: refuse instead.
  const port = process.env.KAFKA_PORT ?? '9092';
  const brokers = parseBrokers(process.env.KAFKA_BROKERS);
  if (brokers.length > 0 && !brokers.some((b) => b.endsWith(`:${port}`)))
    throw new Error(
      `KAFKA_BROKERS (${brokers.join(',')}) is not the broker kafka.sh runs on port ${port}: ` +
        'export KAFKA_PORT and KAFKA_CONTROLLER_PORT to the test process',
    );
  const { stdout, stderr } = await run('bash', [kafkaScript(), command], { timeout: 180_000 });
  return `${stdout}${stderr}`;
}
