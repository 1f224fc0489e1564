import { isDatabaseUnavailable } from './unavailable.js';

export interface StatementBatchOptions<I, O> {
  /** Runs one input alone: the statement as it would run without batching. */
  one(input: I): Promise<O>;
  /**
   * Runs several inputs as one statement, all of it or nothing of it, and answers each input's
   * result in the order given.
   */
  many(inputs: readonly I[]): Promise<O[]>;
  /**
   * The rows an input writes, by name. Two inputs naming the same row never run at once, neither
   * in one batch (each would see the other's row) nor in two (their locks could cross).
   */
  keys(input: I): readonly string[];
  /** Batches in flight at once. Default 2. */
  concurrency?: number;
  /** Inputs in one batch at most. Default 64. */
  maxBatch?: number;
}

interface Member<I, O> {
  input: I;
  keys: readonly string[];
  resolve(value: O): void;
  reject(err: unknown): void;
}

/**
 * Group commit for a statement on PostgreSQL: inputs asked for while earlier batches are in flight
 * wait and go together, as one statement, one round trip and one commit. A lone input goes alone
 * and at once (after the current turn of the event loop, so that inputs asked for in the same turn
 * share it). Each input settles with its own result. When a batch fails, nothing of it was written
 * (one statement), and each input runs again alone, so one bad input fails alone; unless the
 * database went away, when the statement may have committed before the answer was lost: then every
 * input gets that error, as it would have alone.
 */
export function statementBatch<I, O>(options: StatementBatchOptions<I, O>): (input: I) => Promise<O> {
  const concurrency = options.concurrency ?? 2;
  const maxBatch = options.maxBatch ?? 64;
  const queue: Member<I, O>[] = [];
  const busyKeys = new Set<string>();
  let running = 0;
  let scheduled = false;

  function pump(): void {
    if (scheduled || running >= concurrency || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    while (running < concurrency) {
      const batch = take();
      if (batch.length === 0) return;
      running++;
      for (const m of batch) for (const k of m.keys) busyKeys.add(k);
      void run(batch).finally(() => {
        for (const m of batch) for (const k of m.keys) busyKeys.delete(k);
        running--;
        pump();
      });
    }
  }

  /** Waiting inputs in arrival order, up to `maxBatch`, none of whose rows is taken. */
  function take(): Member<I, O>[] {
    const batch: Member<I, O>[] = [];
    const waiting: Member<I, O>[] = [];
    const taken = new Set<string>();
    for (const m of queue) {
      if (batch.length >= maxBatch || m.keys.some((k) => busyKeys.has(k) || taken.has(k))) {
        waiting.push(m);
        continue;
      }
      for (const k of m.keys) taken.add(k);
      batch.push(m);
    }
    queue.splice(0, queue.length, ...waiting);
    return batch;
  }

  async function run(batch: Member<I, O>[]): Promise<void> {
    if (batch.length === 1) return alone(batch[0]!);
    let results: O[];
    try {
      results = await options.many(batch.map((m) => m.input));
    } catch (err) {
      if (isDatabaseUnavailable(err)) {
        for (const m of batch) m.reject(err);
        return;
      }
      for (const m of batch) await alone(m);
      return;
    }
    if (results.length !== batch.length) {
      const err = new Error(`a batch of ${batch.length} statements answered ${results.length} results`);
      for (const m of batch) m.reject(err);
      return;
    }
    for (const [i, m] of batch.entries()) m.resolve(results[i]!);
  }

  async function alone(m: Member<I, O>): Promise<void> {
    try {
      m.resolve(await options.one(m.input));
    } catch (err) {
      m.reject(err);
    }
  }

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, keys: options.keys(input), resolve, reject });
      pump();
    });
}
