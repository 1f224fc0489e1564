import { toKafkaMessage } from '@paystream/events';
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
import { silentLogger, sleep } from './log.js';
import { busMetrics } from './metrics.js';
import { makeEvents } from './testing/events.js';
import type { EventHandler, RawRecord } from './types.js';

function deps(handler: EventHandler, extra: Partial<DeliveryDeps> = {}): DeliveryDeps {
  return {
    topic: 'unit',
    group: 'unit-group',
    handler,
    opts: resolveSubscribeOptions({ concurrency: 4, maxAttempts: 1 }),
    metrics: busMetrics(new Registry()),
    logger: silentLogger,
    deadLetter: async () => {},
    signal: new AbortController().signal,
    ...extra,
  };
}

describe('deliverBatch', () => {
  it('keeps each key in order while running several keys at once, never more than the bound', async () => {
    const records = fetched('unit', 6, 20);
    const seen = new Map<string, number[]>();
    let running = 0;
    let peak = 0;
    const outcome = await deliverBatch(
      records,
      deps(async (e) => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(1 + (e.data.sequence % 3));
        seen.set(e.subject, [...(seen.get(e.subject) ?? []), e.data.sequence]);
        running -= 1;
      }),
    );
    expect(outcome).toEqual({ done: 120 });
    for (const sequences of seen.values())
      expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('reports a growing finished prefix while the batch runs, then the whole batch', async () => {
    const records = fetched('unit', 4, 50);
    const reported: number[] = [];
    const outcome = await deliverBatch(
      records,
      deps(async () => sleep(1), {
        progress: async (done) => {
          reported.push(done);
        },
      }),
    );
    expect(outcome.done).toBe(200);
    expect(reported.length).toBeGreaterThanOrEqual(2);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    // The first report came while most of the batch was still to run.
    expect(reported[0]).toBeLessThan(200);
  });

  it('stops at the first record it could not settle and reports only what precedes it', async () => {
    const records = fetched('unit', 3, 10);
    const broken = records[7]!.raw;
    const outcome = await deliverBatch(
      records,
      deps(async () => {}, {
        // The handler fails for one record and its dead letter cannot be written either.
        handler: async (e) => {
          if (e.id === broken.headers.ce_id) throw new Error('handler down');
        },
        deadLetter: async (r: RawRecord) => {
          if (r.headers.ce_id === broken.headers.ce_id) throw new Error('DLQ unreachable');
        },
      }),
    );
    expect(outcome.done).toBe(7);
    expect(String(outcome.error)).toContain('DLQ unreachable');
  });

  it('gives up a batch when the subscription closes, committing nothing that was not handled', async () => {
    const controller = new AbortController();
    const records = fetched('unit', 2, 10);
    let handled = 0;
    const outcome = await deliverBatch(
      records,
      deps(
        async () => {
          handled += 1;
          if (handled === 5) controller.abort();
        },
        { signal: controller.signal },
      ),
    );
    expect(outcome.error).toBeInstanceOf(DeliveryAborted);
    expect(outcome.done).toBeLessThanOrEqual(handled);
    expect(outcome.done).toBeGreaterThan(0);
  });
});

describe('tolerant consumption', () => {
  const record = (raw: RawRecord, offset: number): FetchedRecord => ({
    raw,
    partition: 0,
    offset: String(offset),
  });

  it('skips and counts a type it does not know, and ignores fields it does not know', async () => {
    const registry = new Registry();
    const [created, refund] = [
      makeEvents({ prefix: 'tol' })[0]!,
      makeEvents({ prefix: 'tol2', type: 'refund.succeeded' })[0]!,
    ];
    const future = toKafkaMessage(created);
    const withField = toKafkaMessage(refund);
    const records = [
      record(
        {
          key: future.key,
          value: String(future.value),
          headers: { ...future.headers, ce_type: 'payment.disputed' },
        },
        0,
      ),
      record(
        {
          key: withField.key,
          value: JSON.stringify({ ...refund.data, riskScore: 3 }),
          headers: withField.headers,
        },
        1,
      ),
    ];
    const seen: string[] = [];
    const dead: RawRecord[] = [];
    const outcome = await deliverBatch(
      records,
      deps(
        async (e) => {
          if (e.type === 'refund.succeeded') seen.push(e.data.refundNo);
        },
        { metrics: busMetrics(registry), deadLetter: async (r) => void dead.push(r) },
      ),
    );
    expect(outcome).toEqual({ done: 2 });
    expect(seen).toEqual(['R1']);
    expect(dead).toEqual([]);
    const counted = (await registry.getSingleMetric('paystream_plugin_events_total')!.get()).values;
    expect(counted).toContainEqual(
      expect.objectContaining({
        value: 1,
        labels: { plugin: 'unit-group', type: 'unknown', outcome: 'skipped' },
      }),
    );
  });

  it('starts a new group at the newest event unless it asks for history', () => {
    expect(resolveSubscribeOptions().fromBeginning).toBe(false);
    expect(resolveSubscribeOptions({ fromBeginning: true }).fromBeginning).toBe(true);
  });
});

describe('a handler meeting an outage (transient errors)', () => {
  const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const transient = (err: unknown) => (err as { code?: string }).code === 'ECONNREFUSED';
  /** Delivers one record to `handler` with `maxAttempts`, collecting its dead letters. */
  const deliverCounting = async (handler: EventHandler, maxAttempts: number, test = transient) => {
    const [record] = fetched('unit', 1, 1);
    const dead: RawRecord[] = [];
    const outcome = await deliverBatch(
      [record!],
      deps(handler, {
        opts: resolveSubscribeOptions({ maxAttempts, retryBackoffMs: 1, transient: test }),
        deadLetter: async (r) => {
          dead.push(r);
        },
      }),
    );
    return { outcome, dead };
  };

  it('waits the outage out without counting it toward maxAttempts, then handles the event', async () => {
    let calls = 0;
    const { outcome, dead } = await deliverCounting(async () => {
      calls += 1;
      if (calls <= 6) throw outage;
    }, 2);
    expect(outcome).toEqual({ done: 1 });
    expect(calls).toBe(7);
    expect(dead).toEqual([]);
  });

  it('still dead-letters after maxAttempts failures of the event itself, outages between them aside', async () => {
    let calls = 0;
    const { dead } = await deliverCounting(async () => {
      calls += 1;
      throw calls % 2 === 1 ? outage : new Error('amount does not balance');
    }, 3);
    // outage, failure, outage, failure, outage, failure: the third failure dead-letters it.
    expect(calls).toBe(6);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers.dlq_error).toBe('amount does not balance');
    expect(dead[0]!.headers.dlq_attempts).toBe('6');
  });

  it('counts the attempt when the transient test itself throws', async () => {
    const { dead } = await deliverCounting(
      async () => {
        throw outage;
      },
      2,
      () => {
        throw new Error('the probe broke');
      },
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers.dlq_attempts).toBe('2');
  });

  it('keeps the group membership alive while it waits', async () => {
    const [record] = fetched('unit', 1, 1);
    let beats = 0;
    let calls = 0;
    await deliverBatch(
      [record!],
      deps(
        async () => {
          calls += 1;
          if (calls === 1) throw outage;
        },
        {
          opts: resolveSubscribeOptions({ retryBackoffMs: 1_100, transient }),
          heartbeat: async () => {
            beats += 1;
          },
        },
      ),
    );
    // One beat inside the 1.1 s wait, one after the record.
    expect(beats).toBeGreaterThanOrEqual(2);
  });
});
