// When KAFKA_BROKERS is unset (a developer running `pnpm exec vitest run` here), start the local
// broker with infra/kafka/kafka.sh and stop it afterwards. `make test` sets KAFKA_BROKERS itself.
import { kafkaControl } from '../src/testing/broker.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.KAFKA_BROKERS) return undefined;
  const wasRunning = await kafkaControl('status').then(
    () => true,
    () => false,
  );
  await kafkaControl('start');
  process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
  return async () => {
    if (!wasRunning) await kafkaControl('stop');
  };
}
