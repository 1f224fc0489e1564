// Per-order sequence gaps mean events missing from the stream, nothing else. Every payment event
// takes its order's next sequence number whatever its type, so the host follows the sequence of
// every event, read by the plugin or not: a declined refund between a payment and its refund is no
// gap for a plugin that only reads successes, whether it takes events one by one or in batches.
// An event missing from the stream is still one. The last sequence is kept in the database the
// hosts share, so the host an order moves to goes on from where the previous one stopped.

import { createPluginHost } from '@paystream/plugin-runtime';
import { definePlugin } from '@paystream/plugin-sdk';
import { orderEvents, runId, startTestHost, type TestHost, waitFor } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';

/** Reads payments and refunds that succeeded, not the declined attempts. */
function successes(mode: 'one by one' | 'in batches') {
  const seen: string[] = [];
  const spec = {
    id: 'successes',
    subscribes: {
      types: ['payment.succeeded', 'refund.succeeded'] as ['payment.succeeded', 'refund.succeeded'],
    },
    async handle(event: { id: string }) {
      seen.push(event.id);
    },
  };
  const plugin =
    mode === 'one by one'
      ? definePlugin(spec)
      : definePlugin({
          ...spec,
          async handleBatch(events) {
            seen.push(...events.map((e) => e.id));
          },
        });
  return { plugin, seen };
}

const cases = [
  { mode: 'one by one', database: 'sqlite' },
  { mode: 'in batches', database: 'sqlite' },
  { mode: 'in batches', database: 'postgres' },
] as const;

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const gaps = async (host: { status: TestHost['host']['status'] }) => (await host.status())[0]!.sequenceGaps;

describe.each(cases)('sequence gaps, $mode on $database', ({ mode, database }) => {
  it('counts the types a plugin does not read: a declined refund before the refund is no gap', async () => {
    const { plugin, seen } = successes(mode);
    t = await startTestHost({ plugins: [plugin()], database });
    const prefix = runId();
    const events = Array.from({ length: 20 }, (_, i) =>
      orderEvents(`${prefix}-${i}`, { refundMinor: 100, refundFailsFirst: true }),
    ).flat();
    expect(events.slice(0, 4).map((e) => [e.type, e.data.sequence])).toEqual([
      ['payment.created', 1],
      ['payment.succeeded', 2],
      ['refund.failed', 3],
      ['refund.succeeded', 4],
    ]);
    await t.publish(events);
    expect(seen.sort()).toEqual(
      events
        .filter((e) => e.type === 'payment.succeeded' || e.type === 'refund.succeeded')
        .map((e) => e.id)
        .sort(),
    );
    expect(await gaps(t.host)).toBe(0);
  });

  it('reports an event missing from the stream, read by the plugin or not', async () => {
    const { plugin, seen } = successes(mode);
    t = await startTestHost({ plugins: [plugin()], database });
    const prefix = runId();
    // One order loses its declined refund (not read by the plugin), another its payment (read).
    const [created, paid, declined, refunded] = orderEvents(`${prefix}-a`, {
      refundMinor: 100,
      refundFailsFirst: true,
    });
    const [created2, paid2, declined2, refunded2] = orderEvents(`${prefix}-b`, {
      refundMinor: 100,
      refundFailsFirst: true,
    });
    expect(declined!.type).toBe('refund.failed');
    await t.publish([created!, paid!, refunded!, created2!, declined2!, refunded2!]);
    // Gaps are reported, never held back: the plugin still gets what arrived.
    expect(seen.sort()).toEqual([paid!.id, refunded!.id, refunded2!.id].sort());
    expect(await gaps(t.host)).toBe(2);
    // The missing events arriving late are behind the order's sequence: no further report.
    await t.publish([declined!, paid2!]);
    expect(await gaps(t.host)).toBe(2);
  });

  it('goes on from the sequence the database holds when another host takes an order over', async () => {
    const first = successes(mode);
    t = await startTestHost({ plugins: [first.plugin()], database });
    const prefix = runId();
    const orders = Array.from({ length: 10 }, (_, i) =>
      orderEvents(`${prefix}-${i}`, { refundMinor: 100, refundFailsFirst: true }),
    );
    await t.publish(orders.flatMap((o) => o.slice(0, 2)));
    // The first host stops; a second one (nothing in memory) gets the plugin's group and the rest
    // of every order, as after a rebalance: the sequences come from the shared database.
    await t.host.close();
    const second = successes(mode);
    const host = createPluginHost({
      plugins: [second.plugin()],
      bus: t.bus,
      database: t.database,
      registry: t.registry,
      apiKeys: [],
      retryBackoffMs: 10,
    });
    await host.start();
    try {
      await t.bus.publish(orders.flatMap((o) => o.slice(2)));
      await waitFor('the second host to read the refunds', () => second.seen.length === 10);
      expect(await gaps(host)).toBe(0);
      // An order the plugin never saw the start of is a gap on whichever host meets it.
      const [, , , late] = orderEvents(`${prefix}-late`, { refundMinor: 100, refundFailsFirst: true });
      await t.bus.publish([late!]);
      await waitFor('the late refund', () => second.seen.length === 11);
      expect(await gaps(host)).toBe(1);
    } finally {
      await host.close();
    }
  });
});
