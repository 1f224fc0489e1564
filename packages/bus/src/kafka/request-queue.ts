// kafkajs 2.2.4 keeps every broker connection's event loop busy while it is idle. Its request queue
// checks for pending requests on a timer, and after each check schedules the next one whether or
// not anything waits; with no throttle in force the delay it computes is negative, which Node.js
// runs after 1 ms (and Node.js 24 warns about: TimeoutNegativeWarning). So each connection wakes
// its process about a thousand times a second for nothing: an idle gateway measured 1,600 event
// loop wake-ups and 34 ms of CPU a second, and every process paid it again, whatever its load.
// Upstream has the bug open (tulios/kafkajs#1704, #1556) with the fixes unreleased; the method is
// replaced here with the same one minus the timer when nothing waits and nothing is throttled
// (`push` schedules a check itself when it queues a request, and every response runs one).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** kafkajs's own interval while requests wait without a throttle (requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** The fields of kafkajs's RequestQueue the schedule reads and writes. */
interface QueueState {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}

/** kafkajs's scheduleCheckPendingRequests without the timer when there is nothing to check. */
function scheduleCheckPendingRequests(this: QueueState): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
  else if (scheduleAt <= 0) return;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

const FIXED = Symbol.for('paystream.kafkajs.requestQueue.fixed');

/**
 * Replaces the method on kafkajs's RequestQueue (the copy this package resolves, which is the one
 * its clients use). Only on the version whose code was read: on another it changes nothing and
 * returns false.
 */
export function fixRequestQueuePolling(): boolean {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== '2.2.4') return false;
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: Record<string | symbol, unknown>;
  };
  const proto = RequestQueue.prototype;
  if (typeof proto.scheduleCheckPendingRequests !== 'function') return false;
  if (proto[FIXED] !== true) {
    proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
    proto[FIXED] = true;
  }
  return true;
}
