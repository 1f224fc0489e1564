import { describe, expect, it } from 'vitest';
import { statementBatch } from './statement-batch.js';

interface Input {
  id: number;
  key: string;
  bad?: boolean;
}

/** A batcher over a fake statement that records what ran and holds each run until released. */
function harness(options: { concurrency?: number; maxBatch?: number; manyError?: Error } = {}) {
  const ran: { kind: 'one' | 'many'; ids: number[] }[] = [];
  const holds: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const held = async <T>(value: () => T): Promise<T> => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => holds.push(resolve));
    inFlight--;
    return value();
  };
  const run = statementBatch<Input, string>({
    ...options,
    keys: (i) => [i.key],
    one(i) {
      ran.push({ kind: 'one', ids: [i.id] });
      return held(() => {
        if (i.bad) throw new Error(`input ${i.id} is bad`);
        return `one:${i.id}`;
      });
    },
    many(inputs) {
      ran.push({ kind: 'many', ids: inputs.map((i) => i.id) });
      return held(() => {
        if (options.manyError) throw options.manyError;
        if (inputs.some((i) => i.bad)) throw new Error('the batch failed');
        return inputs.map((i) => `many:${i.id}`);
      });
    },
  });
  /** Lets every statement running now finish, then gives the batcher its turns. */
  const release = async () => {
    for (const r of holds.splice(0)) r();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  };
  return { run, ran, release, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('statementBatch', () => {
  it('runs a lone input alone, with the unbatched statement', async () => {
    const h = harness();
    const result = h.run({ id: 1, key: 'a' });
    await tick();
    await h.release();
    expect(await result).toBe('one:1');
    expect(h.ran).toEqual([{ kind: 'one', ids: [1] }]);
  });

  it('puts inputs asked for in one turn, and those waiting for a free slot, in one statement each', async () => {
    const h = harness({ concurrency: 1 });
    const first = [1, 2, 3].map((id) => h.run({ id, key: `k${id}` }));
    await tick();
    // The slot is taken: these wait and go together once it is free.
    const second = [4, 5, 6, 7].map((id) => h.run({ id, key: `k${id}` }));
    await tick();
    expect(h.ran).toEqual([{ kind: 'many', ids: [1, 2, 3] }]);
    await h.release();
    await h.release();
    expect(await Promise.all([...first, ...second])).toEqual([
      'many:1',
      'many:2',
      'many:3',
      'many:4',
      'many:5',
      'many:6',
      'many:7',
    ]);
    expect(h.ran).toEqual([
      { kind: 'many', ids: [1, 2, 3] },
      { kind: 'many', ids: [4, 5, 6, 7] },
    ]);
  });

  it('never runs two inputs naming the same row at once, in one batch or in two', async () => {
    const h = harness({ concurrency: 2 });
    const results = [
      h.run({ id: 1, key: 'same' }),
      h.run({ id: 2, key: 'same' }),
      h.run({ id: 3, key: 'other' }),
      h.run({ id: 4, key: 'same' }),
    ];
    await tick();
    // 1 and 3 first; 2 and 4 would find 'same' taken, by the batch and then by each other.
    expect(h.ran).toEqual([{ kind: 'many', ids: [1, 3] }]);
    await h.release();
    expect(h.ran.at(-1)).toEqual({ kind: 'one', ids: [2] });
    await h.release();
    await h.release();
    expect(h.ran.at(-1)).toEqual({ kind: 'one', ids: [4] });
    expect(await Promise.all(results)).toEqual(['many:1', 'one:2', 'many:3', 'one:4']);
  });

  it('keeps at most `concurrency` statements in flight and `maxBatch` inputs in one', async () => {
    const h = harness({ concurrency: 2, maxBatch: 3 });
    const results = Array.from({ length: 20 }, (_, id) => h.run({ id, key: `k${id}` }));
    for (let i = 0; i < 12; i++) await h.release();
    expect((await Promise.all(results)).length).toBe(20);
    expect(h.maxInFlight()).toBe(2);
    expect(Math.max(...h.ran.map((r) => r.ids.length))).toBe(3);
    expect(h.ran.flatMap((r) => r.ids).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('runs each input of a failed batch again alone, so a bad input fails alone', async () => {
    const h = harness();
    const results = [1, 2, 3].map((id) => h.run({ id, key: `k${id}`, bad: id === 2 }).catch((e: Error) => e));
    await tick();
    for (let i = 0; i < 4; i++) await h.release();
    const [one, two, three] = await Promise.all(results);
    expect(one).toBe('one:1');
    expect((two as Error).message).toBe('input 2 is bad');
    expect(three).toBe('one:3');
    expect(h.ran.map((r) => r.kind)).toEqual(['many', 'one', 'one', 'one']);
  });

  it('fails every input of a batch with the error when the database went away (it may have committed)', async () => {
    const gone = new Error('Connection terminated unexpectedly');
    const h = harness({ manyError: gone });
    const results = [1, 2].map((id) => h.run({ id, key: `k${id}` }).catch((e: Error) => e));
    await tick();
    await h.release();
    expect(await Promise.all(results)).toEqual([gone, gone]);
    expect(h.ran).toEqual([{ kind: 'many', ids: [1, 2] }]);
  });
});
