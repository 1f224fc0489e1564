import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixRequestQueuePolling } from './request-queue.js';

const require = createRequire(import.meta.url);
// kafkajs's own request queue, the class every broker connection of its clients holds.
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (
  o: object,
) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const queue = () =>
  new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:1',
    logger: silent,
  });

describe("kafkajs's request queue, fixed", () => {
  afterEach(() => vi.useRealTimers());

  it('is fixed on the kafkajs this package uses', () => {
    expect(fixRequestQueuePolling()).toBe(true);
    // Twice is harmless.
    expect(fixRequestQueuePolling()).toBe(true);
  });

  it('an idle queue schedules no check: no timer, no wake-up of the process', () => {
    fixRequestQueuePolling();
    const q = queue();
    // What each response runs (fulfillRequest): unfixed, this armed a 1 ms timer that re-armed
    // itself for as long as the connection lived.
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  /** Schedules a check on a queue set up by `given`; asserts it runs once, `afterMs` later, not before. */
  const checkedOnceAfter = (afterMs: number, given: (q: ReturnType<typeof queue>) => void) => {
    fixRequestQueuePolling();
    vi.useFakeTimers();
    const q = queue();
    let checks = 0;
    q.checkPendingRequests = () => {
      checks += 1;
    };
    given(q);
    q.scheduleCheckPendingRequests();
    vi.advanceTimersByTime(afterMs - 1);
    expect(checks).toBe(0);
    vi.advanceTimersByTime(1);
    expect(checks).toBe(1);
    q.destroy();
  };

  it('a request waiting behind the in-flight limit is checked again after 10 ms', () => {
    checkedOnceAfter(10, (q) => q.pending.push({}));
  });

  it('a throttled queue is checked when the throttle ends, even with nothing waiting yet', () => {
    checkedOnceAfter(50, (q) => {
      q.throttledUntil = Date.now() + 50;
    });
  });
});
