// kafkajs restarts a crashed consumer only when the error was retriable. When its one broker (or
// every broker that could coordinate the group) is gone for longer than its retries last, the
// crash is "Failed to find group coordinator", non-retriable, and the consumer stops for good while
// the process goes on publishing (an open kafkajs issue). A plugin host would then read nothing
// after a broker restart. This supervisor starts a new consumer for the group after such a crash,
// with a backoff, until the subscription is closed; until it has joined the group again, health
// reports the group as crashed.
import type { Consumer } from 'kafkajs';
import { errorMessage } from '../log.js';
import type { BusLogger } from '../types.js';

export interface SuperviseOptions {
  group: string;
  logger: BusLogger;
  /** A new consumer of the group, not yet connected. */
  create(): Consumer;
  /** Connects `consumer`, subscribes it and runs it. */
  run(consumer: Consumer): Promise<void>;
  /** The group's health: a detail while it is down, undefined once it has joined again. */
  onState(detail: string | undefined): void;
  /** Wait before restart `attempt` (1-based). Default 1 s doubling to 30 s. */
  restartDelayMs?: (attempt: number) => number;
  /** Called as each new consumer is started after a crash (for the restarts counter). */
  onRestart?: () => void;
}

export interface SupervisedConsumer {
  /** The consumer running now (the last one started). */
  current(): Consumer;
  /** No more restarts; disconnects the current consumer. */
  stop(): Promise<void>;
}

const defaultDelay = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 30_000);

/** Starts the first consumer (its failure is the caller's) and restarts it after a fatal crash. */
export async function superviseConsumer(o: SuperviseOptions): Promise<SupervisedConsumer> {
  const delay = o.restartDelayMs ?? defaultDelay;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let consumer = o.create();

  const watch = (c: Consumer) => {
    c.on(c.events.GROUP_JOIN, () => {
      attempt = 0;
      o.onState(undefined);
    });
    c.on(c.events.CRASH, ({ payload }) => {
      const detail = `${o.group}: ${errorMessage(payload.error)}`;
      if (payload.restart) {
        // kafkajs restarts this one itself.
        o.logger.warn({ group: o.group, restart: true }, `consumer crashed: ${detail} (restarting)`);
        o.onState(undefined);
        return;
      }
      if (stopped || c !== consumer) return;
      restartLater(c, detail);
    });
  };

  const restartLater = (old: Consumer, detail: string) => {
    attempt += 1;
    const waitMs = delay(attempt);
    o.onState(`${detail} (starting a new consumer in ${waitMs} ms)`);
    o.logger.warn(
      { group: o.group, restart: false, attempt, delayMs: waitMs },
      `consumer crashed: ${detail}; starting a new consumer`,
    );
    timer = setTimeout(async () => {
      timer = undefined;
      if (stopped) return;
      await old.disconnect().catch(() => undefined);
      const next = o.create();
      consumer = next;
      o.onRestart?.();
      watch(next);
      try {
        await o.run(next);
        if (stopped) await next.disconnect().catch(() => undefined);
      } catch (err) {
        if (!stopped) restartLater(next, `${o.group}: ${errorMessage(err)}`);
      }
    }, waitMs);
    timer.unref?.();
  };

  watch(consumer);
  await o.run(consumer);
  return {
    current: () => consumer,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await consumer.disconnect();
    },
  };
}
