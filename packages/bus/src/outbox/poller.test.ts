// The poller's wake: drains are counted, and held open by the test while it sends wakes, so what
// coalesces is decided by the order of events, never by a timer. The poll interval is a minute:
// no background run happens during a test besides the one start() begins with.
import { describe, expect, it, vi } from 'vitest';
import type { BusLogger } from '../types.js';
import { createPoller } from './poller.js';

/** A drain that counts its runs; while `hold` is on, each run waits for `release()`. */
function countingDrain() {
  const waiting: (() => void)[] = [];
  const state = { calls: 0, hold: true, failNext: false };
  const drain = async () => {
    state.calls += 1;
    if (state.failNext) {
      state.failNext = false;
      throw new Error('bus unavailable');
    }
    if (state.hold) await new Promise<void>((resolve) => waiting.push(resolve));
    return 1;
  };
  return {
    drain,
    state,
    /** Lets every held run finish. */
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

const warnings: unknown[] = [];
const logger: BusLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (obj) => warnings.push(obj),
  error: () => undefined,
};
/** One turn of the event loop: a wake's scheduled drain is queued by then. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const poller = (drain: () => Promise<number>) =>
  createPoller(drain, { pollIntervalMs: 60_000, logger, failure: 'drain failed' });
const calls = (d: ReturnType<typeof countingDrain>, n: number) =>
  vi.waitFor(() => expect(d.state.calls).toBe(n), { timeout: 10_000, interval: 5 });

describe('createPoller wake', () => {
  it('runs one more drain after the one in progress, however many wakes arrive during it', async () => {
    const d = countingDrain();
    const p = poller(d.drain);
    p.start();
    await calls(d, 1);
    // Wakes before and after the first one's scheduled drain is queued: all ride on it.
    for (let i = 0; i < 5; i++) p.wake();
    await nextTurn();
    for (let i = 0; i < 5; i++) p.wake();
    await nextTurn();
    expect(d.state.calls).toBe(1);
    d.release();
    await calls(d, 2);
    // A wake during the woken drain may concern rows it already missed: exactly one more.
    for (let i = 0; i < 3; i++) p.wake();
    await nextTurn();
    d.state.hold = false;
    d.release();
    await calls(d, 3);
    // A flush queues behind every drain asked for so far: nothing else was.
    await p.flush();
    expect(d.state.calls).toBe(4);
    await p.stop();
  });

  it('drains once for a burst of wakes while idle', async () => {
    const d = countingDrain();
    d.state.hold = false;
    const p = poller(d.drain);
    p.start();
    await calls(d, 1);
    await p.flush();
    expect(d.state.calls).toBe(2);
    for (let i = 0; i < 20; i++) p.wake();
    await calls(d, 3);
    await nextTurn();
    await p.flush();
    expect(d.state.calls).toBe(4);
    await p.stop();
  });

  it('is ignored before start and after stop', async () => {
    const d = countingDrain();
    d.state.hold = false;
    const p = poller(d.drain);
    p.wake();
    await nextTurn();
    await p.flush();
    expect(d.state.calls).toBe(1);
    p.start();
    await calls(d, 2);
    await p.stop();
    p.wake();
    await nextTurn();
    await p.flush();
    expect(d.state.calls).toBe(3);
  });

  it('stop() cancels a wake that has not drained yet, whether or not it was queued', async () => {
    for (const queued of [false, true]) {
      const d = countingDrain();
      const p = poller(d.drain);
      p.start();
      await calls(d, 1);
      p.wake();
      if (queued) await nextTurn();
      const stopping = p.stop();
      d.release();
      await stopping;
      await nextTurn();
      expect(d.state.calls).toBe(1);
    }
  });

  it('logs a woken drain that fails, and drains again on the next wake', async () => {
    const d = countingDrain();
    d.state.hold = false;
    const p = poller(d.drain);
    p.start();
    await calls(d, 1);
    await p.flush();
    warnings.length = 0;
    d.state.failNext = true;
    p.wake();
    await calls(d, 3);
    await vi.waitFor(() => expect(warnings).toEqual([{ error: 'bus unavailable' }]), { timeout: 10_000 });
    p.wake();
    await calls(d, 4);
    await p.stop();
  });
});
