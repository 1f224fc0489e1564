import { describe, expect, it } from 'vitest';
import { coalescing } from './coalesce.js';
import type { BatchContext, BusEvent } from './types.js';

const ev = (id: string) => ({ id, type: 'payment.created' }) as unknown as BusEvent;
const ctx = (): BatchContext => ({ group: 'g', signal: new AbortController().signal });

/** A batch handler that records each call's ids; ids starting with `dup` are duplicates, `bad` throws. */
function recorder() {
  const calls: string[][] = [];
  const handler = async (events: readonly BusEvent[]) => {
    calls.push(events.map((e) => e.id));
    if (events.some((e) => e.id.startsWith('bad'))) throw new Error('bad event');
    return { duplicates: events.filter((e) => e.id.startsWith('dup')).map((e) => e.id) };
  };
  return { calls, handler };
}

describe('coalescing', () => {
  it('joins the calls of one turn into one call, in order, and gives each caller its duplicates', async () => {
    const r = recorder();
    const batch = coalescing(r.handler, 500);
    const results = await Promise.all([
      batch([ev('a1'), ev('dup-a2')], ctx()),
      batch([ev('b1')], ctx()),
      batch([ev('dup-c1'), ev('c2')], ctx()),
    ]);
    expect(r.calls).toEqual([['a1', 'dup-a2', 'b1', 'dup-c1', 'c2']]);
    expect(results).toEqual([{ duplicates: ['dup-a2'] }, { duplicates: [] }, { duplicates: ['dup-c1'] }]);
  });

  it('never joins more than maxBatchSize events', async () => {
    const r = recorder();
    const batch = coalescing(r.handler, 4);
    const three = (p: string) => [ev(`${p}1`), ev(`${p}2`), ev(`${p}3`)];
    await Promise.all([batch(three('a'), ctx()), batch([ev('b1')], ctx()), batch(three('c'), ctx())]);
    expect(r.calls).toEqual([
      ['a1', 'a2', 'a3', 'b1'],
      ['c1', 'c2', 'c3'],
    ]);
  });

  it('does not wait for calls of a later turn', async () => {
    const r = recorder();
    const batch = coalescing(r.handler, 500);
    await batch([ev('a1')], ctx());
    await batch([ev('b1')], ctx());
    expect(r.calls).toEqual([['a1'], ['b1']]);
  });

  it('when the joined call fails, runs each caller alone: only the bad one fails', async () => {
    const r = recorder();
    const batch = coalescing(r.handler, 500);
    const [good, bad, other] = await Promise.allSettled([
      batch([ev('a1')], ctx()),
      batch([ev('bad-b1'), ev('b2')], ctx()),
      batch([ev('dup-c1')], ctx()),
    ]);
    expect(r.calls).toEqual([['a1', 'bad-b1', 'b2', 'dup-c1'], ['a1'], ['bad-b1', 'b2'], ['dup-c1']]);
    expect(good).toEqual({ status: 'fulfilled', value: { duplicates: [] } });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('bad event') });
    expect(other).toEqual({ status: 'fulfilled', value: { duplicates: ['dup-c1'] } });
  });

  it("aborts the joined call's signal when any caller's subscription closes", async () => {
    let seen: AbortSignal | undefined;
    const batch = coalescing(async (_events, c) => {
      seen = c.signal;
      return undefined;
    }, 500);
    const closing = new AbortController();
    await Promise.all([batch([ev('a1')], ctx()), batch([ev('b1')], { group: 'g', signal: closing.signal })]);
    expect(seen?.aborted).toBe(false);
    closing.abort();
    expect(seen?.aborted).toBe(true);
  });
});
