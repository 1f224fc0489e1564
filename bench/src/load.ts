// Load shapes. Closed loop: `callers` each keep one call in flight, so throughput is what the
// system sustains at that concurrency. Open loop: calls start on a fixed schedule whatever the
// answers do, so latency is not hidden by callers slowing down (coordinated omission).
import { setTimeout as sleep } from 'node:timers/promises';

/** One call; resolves when it succeeded, rejects with why it did not. */
export type Call = (i: number) => Promise<void>;

export interface LoadResult {
  /** Calls that finished inside the measured window. */
  count: number;
  /** Calls that succeeded, warm-up included (what a process's CPU time is divided by). */
  total: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  /** Latency of each counted call, ms. */
  latenciesMs: number[];
}

export interface ClosedLoopOptions {
  callers: number;
  seconds: number;
  /** Run, uncounted, before the window: connections, JIT and caches settle. */
  warmupSeconds: number;
  call: Call;
}

export async function closedLoop(o: ClosedLoopOptions): Promise<LoadResult> {
  const windowStart = performance.now() + o.warmupSeconds * 1000;
  const windowEnd = windowStart + o.seconds * 1000;
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  let total = 0;
  const caller = async () => {
    while (performance.now() < windowEnd) {
      const i = next++;
      const started = performance.now();
      try {
        await o.call(i);
        total++;
        const ended = performance.now();
        if (started >= windowStart && ended <= windowEnd) latenciesMs.push(ended - started);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: o.callers }, caller));
  return {
    count: latenciesMs.length,
    total,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: o.seconds,
    perSecond: latenciesMs.length / o.seconds,
    latenciesMs,
  };
}

export interface OpenLoopOptions {
  perSecond: number;
  seconds: number;
  call: Call;
}

/**
 * Starts `perSecond` calls a second on schedule; waits for every call to settle. A call's latency
 * runs from the time it was due, not from when it was sent: when the sender falls behind (its own
 * event loop busy, or a slow system), the queueing counts, as it would for a real client.
 */
export async function openLoop(o: OpenLoopOptions): Promise<LoadResult> {
  const intervalMs = 1000 / o.perSecond;
  const total = Math.round(o.perSecond * o.seconds);
  const latenciesMs: number[] = [];
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(
      o.call(i).then(
        () => {
          latenciesMs.push(performance.now() - due);
        },
        (err: unknown) => {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
        },
      ),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  return {
    count: latenciesMs.length,
    total: latenciesMs.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    perSecond: latenciesMs.length / seconds,
    latenciesMs,
  };
}
