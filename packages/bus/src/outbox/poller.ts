import { errorMessage } from '../log.js';
import type { BusLogger } from '../types.js';

/** A drain run now on demand, when woken, and every so often in the background, never two at once. */
export interface Poller {
  /** Runs the drain now (after the one in progress); resolves with what it returned. */
  flush(): Promise<number>;
  /**
   * Asks for a drain soon, without waiting for it: what a commit that wrote rows calls. Wakes
   * coalesce: however many arrive before the drain they asked for starts, it runs once, after the
   * drain in progress. Ignored unless started; failures are logged like the background runs'.
   */
  wake(): void;
  /** Starts draining every `pollIntervalMs` in the background. */
  start(): void;
  /** Stops the background runs and pending wakes after the drain in progress (it is not cut short). */
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
  // Bumped by stop(): a wake queued before it belongs to a run that is over.
  let generation = 0;
  // A wake-up drain is queued and has not started: later wakes ride on it.
  let wakeQueued = false;
  let wakeTimer: NodeJS.Immediate | undefined;
  // Runs never overlap: a second caller waits for the first, so rows go out once and in order.
  const flush = () => {
    const next = current.catch(() => 0).then(drain);
    current = next;
    return next;
  };
  const background = async (run: Promise<number>) => {
    try {
      await run;
    } catch (err) {
      o.logger.warn({ error: errorMessage(err) }, o.failure);
    }
  };
  const tick = async () => {
    if (!running) return;
    await background(flush());
    if (running) timer = setTimeout(tick, o.pollIntervalMs);
  };
  const wake = () => {
    if (!running || wakeQueued) return;
    wakeQueued = true;
    const woken = generation;
    // The next turn of the event loop, not this one: the committing request answers its caller
    // first, and the other commits of the same burst join this drain.
    wakeTimer = setImmediate(() => {
      wakeTimer = undefined;
      const next = current
        .catch(() => 0)
        .then(() => {
          // From here a new wake queues another drain: rows committed while this one runs may
          // have been missed by its reads.
          wakeQueued = false;
          return running && woken === generation ? drain() : 0;
        });
      current = next;
      void background(next);
    });
  };
  return {
    flush,
    wake,
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(tick, 0);
    },
    async stop() {
      running = false;
      generation += 1;
      if (timer) clearTimeout(timer);
      if (wakeTimer) clearImmediate(wakeTimer);
      wakeTimer = undefined;
      wakeQueued = false;
      await current.catch(() => 0);
    },
  };
}
