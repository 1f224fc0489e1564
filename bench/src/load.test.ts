import { describe, expect, it } from 'vitest';
import { closedLoop, openLoop } from './load.js';

describe('closedLoop', () => {
  it('keeps exactly `callers` calls in flight and counts only the window', async () => {
    let inFlight = 0;
    let most = 0;
    const r = await closedLoop({
      callers: 4,
      seconds: 0.3,
      warmupSeconds: 0.1,
      call: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((res) => setTimeout(res, 10));
        inFlight--;
      },
    });
    expect(most).toBe(4);
    expect(r.errors).toBe(0);
    expect(r.count).toBeGreaterThan(0);
    expect(r.latenciesMs).toHaveLength(r.count);
    expect(r.perSecond).toBe(r.count / 0.3);
  });

  it('counts failures apart, keeping the first reason', async () => {
    const r = await closedLoop({
      callers: 2,
      seconds: 0.1,
      warmupSeconds: 0,
      call: async (i) => {
        await new Promise((res) => setTimeout(res, 5));
        if (i % 2 === 0) throw new Error(`call ${i} answered 500`);
      },
    });
    expect(r.errors).toBeGreaterThan(0);
    expect(r.firstError).toMatch(/answered 500/);
  });
});

describe('openLoop', () => {
  it('starts the scheduled number of calls even when answers are slow', async () => {
    let started = 0;
    const r = await openLoop({
      perSecond: 100,
      seconds: 0.2,
      call: async () => {
        started++;
        await new Promise((res) => setTimeout(res, 50));
      },
    });
    expect(started).toBe(20);
    expect(r.count).toBe(20);
  });

  it('measures each call from the time it was due, so a sender that falls behind counts', async () => {
    const r = await openLoop({
      perSecond: 100,
      seconds: 0.05,
      call: async (i) => {
        // The first call holds the event loop for 40 ms: the next ones, due every 10 ms, go late.
        if (i === 0) {
          const until = performance.now() + 40;
          while (performance.now() < until);
        }
      },
    });
    expect(r.count).toBe(5);
    expect(Math.max(...r.latenciesMs)).toBeGreaterThanOrEqual(25);
  });
});
