import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { fetched } from './__fixtures__/fetched.js';
import {
  DeliveryAborted,
  type DeliveryDeps,
  deliverBatch,
  type FetchedRecord,
  resolveSubscribeOptions,
} from './consume.js';
import { silentLogger } from './log.js';
import { busMetrics } from './metrics.js';
import type { BatchHandler, BusEvent, EventHandler, RawRecord, SubscribeOptions } from './types.js';

const idOf = (r: FetchedRecord) => r.raw.headers.ce_id!;

function deps(
  batch: BatchHandler<BusEvent>,
  handler: EventHandler<BusEvent>,
  extra: Partial<DeliveryDeps> & { opts?: SubscribeOptions<BusEvent> } = {},
): DeliveryDeps & { registry: Registry; dead: RawRecord[] } {
  const registry = new Registry();
  const dead: RawRecord[] = [];
  const { opts, ...rest } = extra;
  return {
    topic: 'unit',
    group: 'paystream.plugin.unit',
    handler,
    opts: resolveSubscribeOptions({ maxAttempts: 2, retryBackoffMs: 1, maxBatchSize: 10, batch, ...opts }),
    metrics: busMetrics(registry),
    logger: silentLogger,
    deadLetter: async (r) => void dead.push(r),
    signal: new AbortController().signal,
    registry,
    dead,
    ...rest,
  };
}

async function counted(registry: Registry, name: string) {
  const metric = registry.getSingleMetric(name);
  return metric ? (await metric.get()).values : [];
}

describe('deliverBatch with a batch handler', () => {
  it('hands the records over in runs of at most maxBatchSize, in offset order, and counts them', async () => {
    const records = fetched('batch', 3, 8);
    const runs: string[][] = [];
    const one: string[] = [];
    const reported: number[] = [];
    const d = deps(
      async (events) => {
        runs.push(events.map((e) => e.id));
        return { duplicates: events[0] ? [events[0].id] : [] };
      },
      async (e) => void one.push(e.id),
      { progress: async (done) => void reported.push(done) },
    );
    const outcome = await deliverBatch(records, d);
    expect(outcome).toEqual({ done: 24 });
    expect(runs.map((r) => r.length)).toEqual([10, 10, 4]);
    expect(runs.flat()).toEqual(records.map(idOf));
    expect(one).toEqual([]);
    expect(reported.at(-1) ?? 24).toBeLessThanOrEqual(24);
    const values = await counted(d.registry, 'paystream_plugin_events_total');
    const total = (outcome: string) =>
      values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);
    expect(total('duplicate')).toBe(3);
    expect(total('ok')).toBe(21);
    expect(values.every((v) => v.labels.plugin === 'unit')).toBe(true);
  });

  it('delivers a refused run one by one: the poison event alone is dead-lettered, the next run is a batch again', async () => {
    const records = fetched('batch', 2, 10);
    const poison = idOf(records[4]!);
    const batched: string[] = [];
    const one: string[] = [];
    const d = deps(
      async (events) => {
        if (events.some((e) => e.id === poison)) throw new Error('cannot book one of these');
        batched.push(...events.map((e) => e.id));
        return undefined;
      },
      async (e) => {
        if (e.id === poison) throw new Error('cannot book this one');
        one.push(e.id);
      },
    );
    const outcome = await deliverBatch(records, d);
    expect(outcome).toEqual({ done: 20 });
    // One by one, each key in its own order (the poison's key waits for its retries).
    const expected = records
      .slice(0, 10)
      .map(idOf)
      .filter((id) => id !== poison);
    for (const key of ['batch:0:', 'batch:1:'])
      expect(one.filter((id) => id.startsWith(key))).toEqual(expected.filter((id) => id.startsWith(key)));
    expect(one).toHaveLength(9);
    expect(batched).toEqual(records.slice(10).map(idOf));
    expect(d.dead.map((r) => r.headers.ce_id)).toEqual([poison]);
    expect(d.dead[0]!.headers.dlq_attempts).toBe('2');
    expect(await counted(d.registry, 'paystream_plugin_batch_fallbacks_total')).toEqual([
      expect.objectContaining({ value: 1, labels: { plugin: 'unit' } }),
    ]);
  });

  it('leaves a run holding a record that is not an event to the one-by-one path, which dead-letters it', async () => {
    const records = fetched('batch', 1, 3);
    records[1] = { ...records[1]!, raw: { ...records[1]!.raw, value: '{not json' } };
    let batches = 0;
    const one: string[] = [];
    const d = deps(
      async () => {
        batches += 1;
        return undefined;
      },
      async (e) => void one.push(e.id),
    );
    expect(await deliverBatch(records, d)).toEqual({ done: 3 });
    expect(batches).toBe(0);
    expect(one).toEqual([idOf(records[0]!), idOf(records[2]!)]);
    expect(d.dead.map((r) => r.headers.dlq_reason)).toEqual(['malformed']);
  });

  it('starts no run once the subscription closes, and reports only the runs that finished', async () => {
    const controller = new AbortController();
    const records = fetched('batch', 1, 30);
    let runs = 0;
    const d = deps(
      async () => {
        runs += 1;
        if (runs === 2) controller.abort();
        return undefined;
      },
      async () => {},
      { signal: controller.signal },
    );
    const outcome = await deliverBatch(records, d);
    expect(runs).toBe(2);
    expect(outcome.done).toBe(20);
    expect(outcome.error).toBeInstanceOf(DeliveryAborted);
  });
});
