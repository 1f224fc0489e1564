import { errorMessage } from '../log.js';
import type { BusLogger } from '../types.js';

/** A drain run now on demand and every so often in the background, never two at once. */
export interface Poller {
  /** Runs the drain now (after the one in progress); resolves with what it returned. */
  flush(): Promise<number>;
  /** Starts draining every `pollIntervalMs` in the background. */
  start(): void;
  /** Stops the background runs after the one in progress (it is not cut short). */
  stop(): Promise<void>;
}

/** Wraps `drain` (e.g. an outbox relay's publish loop) as a {@link Poller}; failures are logged and retried. */
export function createPoller(
  drain: () => Promise<number>,
  o: { pollIntervalMs: number; logger: BusLogger; failure: string },
): Poller {
  let current: Promise<number> = Promise.resolve(0);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  // Runs never overlap: a second caller waits for the first, so rows go out once and in order.
  const flush = () => {
    const next = current.catch(() => 0).then(drain);
    current = next;
    return next;
  };
  const tick = async () => {
    if (!running) return;
    try {
      await flush();
    } catch (err) {
      o.logger.warn({ error: errorMessage(err) }, o.failure);
    }
    if (running) timer = setTimeout(tick, o.pollIntervalMs);
  };
  return {
    flush,
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(tick, 0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await current.catch(() => 0);
    },
  };
}
