// kafkajs hands each partition of a fetch to its own eachBatch call, all at once. With a batch
// handler that writes to a database, each call was a transaction of its own: six partitions, six
// transactions in the same instant, and a ledger's transactions all end on the same balance rows,
// so they waited for each other's commits (a lock held through each fsync). Joined, the partitions
// of a fetch are one call and one commit.
import type { BatchContext, BatchHandler, BatchResult, BusEvent } from './types.js';

interface Call<E> {
  events: readonly E[];
  ctx: BatchContext;
  resolve: (result: BatchResult | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Wraps a subscription's batch handler so the calls that start in the same turn of the event loop
 * (one fetch's partitions) run as one call of at most `maxBatchSize` events, in the order the calls
 * came: each partition's events stay consecutive and in order, so one key's order holds. Each caller
 * learns its own duplicates. All or nothing stays per caller: when the joined call throws, each
 * caller's events are handed to `batch` again on their own, one caller after the other, and each
 * caller gets the outcome of its own call.
 */
export function coalescing<E extends BusEvent>(
  batch: BatchHandler<E>,
  maxBatchSize: number,
): BatchHandler<E> {
  let waiting: Call<E>[] = [];
  let size = 0;
  const alone = (c: Call<E>) => batch(c.events, c.ctx).then(c.resolve, c.reject);
  const flush = () => {
    const calls = waiting;
    waiting = [];
    size = 0;
    if (calls.length === 0) return;
    if (calls.length === 1) {
      void alone(calls[0]!);
      return;
    }
    const ctx: BatchContext = {
      group: calls[0]!.ctx.group,
      signal: AbortSignal.any(calls.map((c) => c.ctx.signal)),
    };
    batch(
      calls.flatMap((c) => c.events),
      ctx,
    ).then(
      (result) => {
        const left = new Map<string, number>();
        for (const id of result?.duplicates ?? []) left.set(id, (left.get(id) ?? 0) + 1);
        for (const c of calls) {
          const duplicates: string[] = [];
          for (const e of c.events) {
            const n = left.get(e.id) ?? 0;
            if (n === 0) continue;
            left.set(e.id, n - 1);
            duplicates.push(e.id);
          }
          c.resolve({ duplicates });
        }
      },
      async () => {
        // One caller's event may be what failed: nothing of the joined call happened, so each
        // caller's events go again on their own, and only that caller falls back to one by one.
        for (const c of calls) await alone(c);
      },
    );
  };
  return (events, ctx) =>
    new Promise((resolve, reject) => {
      if (size > 0 && size + events.length > maxBatchSize) flush();
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ events, ctx, resolve, reject });
      size += events.length;
    });
}
