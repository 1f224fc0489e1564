// A plugin with `handleBatch` gets many events per call, written in the host's transaction with the
// host's own records (event ids done, per-order sequences): on either transport and database, every
// event takes effect once, a redelivery changes nothing, a refused batch leaves nothing behind and
// its events go one by one (the poison alone to the dead letters), and gaps are still reported.

import type { TypedEvent } from '@paystream/plugin-sdk';
import { makeEvents, orderEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { tallied as talliedIds, tally } from './__fixtures__/tally.js';

const setups = [
  { transport: 'embedded', database: 'sqlite' },
  { transport: 'kafka', database: 'postgres' },
] as const;

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const tallied = (host: TestHost) => talliedIds(host.database.db);

describe.each(setups)('handleBatch on $transport with $database', ({ transport, database }) => {
  it('takes every event once in batches; a full redelivery changes nothing', async () => {
    const { plugin, calls } = tally();
    t = await startTestHost({ plugins: [plugin], transport, database });
    const prefix = runId();
    const events = Array.from({ length: 60 }, (_, i) => orderEvents(`${prefix}-${i}`)).flat();
    // payment.failed is not subscribed: it must not reach the plugin.
    const failed = makeEvents({ prefix: `${prefix}f`, type: 'payment.failed' });
    await t.publish([...events, ...failed]);
    const ids = events.map((e) => e.id).sort();
    expect(await tallied(t)).toEqual(ids);
    expect(calls.oneByOne).toEqual([]);
    expect(calls.batched).toBe(events.length);
    expect(calls.batches).toBeLessThan(events.length);
    expect((await t.host.status())[0]).toMatchObject({ sequenceGaps: 0, deadLetters: 0, lastError: null });

    await t.replay();
    await t.settle();
    expect(await tallied(t)).toEqual(ids);
    expect(calls.batched).toBe(events.length);
    expect(calls.oneByOne).toEqual([]);
    expect(await t.deadLetters('tally')).toEqual([]);
    // The batches themselves skipped what was done, none had to fall back to the one-by-one path.
    expect(await t.registry.metrics()).not.toMatch(/paystream_plugin_batch_fallbacks_total\{/);
    expect(await t.registry.metrics()).toMatch(
      /paystream_plugin_events_total\{plugin="tally",type="payment.succeeded",outcome="duplicate"\} 60/,
    );
  });

  it('rolls a batch holding a poison event back and delivers it one by one: the poison alone is dead-lettered', async () => {
    let poisonId: string | undefined;
    const { plugin, calls } = tally({ poison: () => poisonId });
    t = await startTestHost({ plugins: [plugin], transport, database });
    const prefix = runId();
    const events = Array.from({ length: 20 }, (_, i) => orderEvents(`${prefix}-${i}`)).flat();
    poisonId = events[21]!.id;
    await t.publish(events);
    expect(await tallied(t)).toEqual(
      events
        .map((e) => e.id)
        .filter((id) => id !== poisonId)
        .sort(),
    );
    expect(calls.oneByOne.length).toBeGreaterThan(0);
    const dead = await t.deadLetters('tally');
    expect(dead.map((d) => d.eventId)).toEqual([poisonId]);
    expect(dead[0]).toMatchObject({ reason: 'handler', attempts: 5 });
    const status = (await t.host.status())[0]!;
    expect(status.lastError).toMatchObject({ eventId: poisonId, message: `cannot tally ${poisonId}` });
    expect(await t.registry.metrics()).toMatch(
      /paystream_plugin_batch_fallbacks_total\{plugin="tally"\} [1-9]/,
    );
  });

  it('reports a sequence gap inside a batch', async () => {
    const { plugin, calls } = tally();
    t = await startTestHost({ plugins: [plugin], transport, database });
    const prefix = runId();
    const whole = orderEvents(`${prefix}-whole`);
    const [created, , refund] = orderEvents(`${prefix}-gap`, { refundMinor: 100 });
    // refund.succeeded is not subscribed, so take the order's third event from another type.
    const third = { ...refund!, type: 'payment.succeeded', data: { ...refund!.data } } as TypedEvent;
    await t.publish([...whole, created!, third]);
    expect(calls.oneByOne).toEqual([]);
    expect(await tallied(t)).toHaveLength(4);
    expect((await t.host.status())[0]!.sequenceGaps).toBe(1);
  });
});
