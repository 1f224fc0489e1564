import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseBrokers } from '@paystream/config';
import { freePort } from './port.js';

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

type BrokerCommand = 'start' | 'stop' | 'restart' | 'kill' | 'status';

/** Runs kafka.sh with `env` on top of this process's environment. */
async function kafkaSh(command: BrokerCommand, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout, stderr } = await run('bash', [kafkaScript(), command], {
    timeout: 180_000,
    env: { ...process.env, ...env },
  });
  return `${stdout}${stderr}`;
}

/**
 * Drives the broker kafka.sh runs on KAFKA_PORT (the one of `make test`). Every suite of a run
 * shares that broker and packages' suites run side by side, so a fault test that stops, restarts
 * or kills a broker takes one of its own ({@link startPrivateBroker}).
 */
export async function kafkaControl(command: BrokerCommand): Promise<string> {
  // kafka.sh picks its ports from KAFKA_PORT/KAFKA_CONTROLLER_PORT. If those did not reach this
  // process while KAFKA_BROKERS points elsewhere, this would drive this checkout's broker on
  // another checkout's ports: refuse instead.
  const port = process.env.KAFKA_PORT ?? '9092';
  const brokers = parseBrokers(process.env.KAFKA_BROKERS);
  if (brokers.length > 0 && !brokers.some((b) => b.endsWith(`:${port}`)))
    throw new Error(
      `KAFKA_BROKERS (${brokers.join(',')}) is not the broker kafka.sh runs on port ${port}: ` +
        'export KAFKA_PORT and KAFKA_CONTROLLER_PORT to the test process',
    );
  return kafkaSh(command);
}

/** A broker of one test's own, which it may stop, restart or kill without touching anyone else's. */
export interface PrivateBroker {
  readonly brokers: string[];
  /** kafka.sh's command on this broker (its data is kept across stop, restart and kill). */
  control(command: Exclude<BrokerCommand, 'status'>): Promise<string>;
  /** Stops it and deletes its data. */
  close(): Promise<void>;
}

/**
 * Starts a one-node broker on free ports with its data in infra/kafka/.kafka-<name>-<random>/,
 * sharing the jars of the checkout's broker (fetched first when missing).
 */
export async function startPrivateBroker(name: string): Promise<PrivateBroker> {
  const kafkaDir = dirname(kafkaScript());
  const home = join(kafkaDir, `.kafka-${name}-${randomBytes(4).toString('hex')}`);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env = {
    KAFKA_HOME_DIR: home,
    KAFKA_LIBS_DIR: join(process.env.KAFKA_HOME_DIR ?? join(kafkaDir, '.kafka'), 'libs'),
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_HEAP: '256m',
  };
  const control = (command: BrokerCommand) => kafkaSh(command, env);
  try {
    await control('start');
  } catch (err) {
    rmSync(home, { recursive: true, force: true });
    throw err;
  }
  return {
    brokers: [`127.0.0.1:${port}`],
    control,
    async close() {
      await control('stop').catch(() => control('kill'));
      rmSync(home, { recursive: true, force: true });
    },
  };
}
