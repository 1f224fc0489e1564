// The recorder on both engines, with two database handles standing for two gateway instances:
// a change computed from a copy read before another instance wrote the row is computed again from
// the row as it is, so a transition taken elsewhere emits nothing and nothing moves backwards.
import { enqueueEvents } from '@paystream/bus';
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '@paystream/db/testing';
import type { PaystreamEvent } from '@paystream/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderRow } from '../__fixtures__/order-row.js';
import { prepareDatabase } from '../database.js';
import { findOrder, type Order } from '../store/orders.js';
import type { GatewaySchema } from '../store/schema.js';
import { moveOrder } from './observe.js';
import { type ChangeOf, Recorder } from './recorder.js';

const NOW = '2026-01-01T00:00:00.000Z';

const newOrder = (no: string) => orderRow(no, NOW);

const to =
  (status: Order['status'], operation: 'notify' | 'query' | 'cancel'): ChangeOf =>
  ({ order }) => {
    const moved = moveOrder(order, status, operation, NOW);
    return moved.order.status === order.status ? null : moved;
  };

describe.each(TEST_DATABASE_KINDS)('Recorder on %s', (kind) => {
  let test: TestDatabase;
  // Two handles: two instances' connection pools on one database.
  let a: Database<GatewaySchema>;
  let b: Database<GatewaySchema>;
  const recorder = (d: Database<GatewaySchema>) =>
    new Recorder({ db: d.db, source: 'test', now: () => new Date(NOW), enqueue: enqueueEvents });
  // What committed: the order's events in the outbox, in the order the relay will publish them.
  const committed = async (outTradeNo: string): Promise<PaystreamEvent[]> => {
    const rows = await (
      a.db as unknown as Kysely<{ paystream_outbox: { subject: string; payload: string; position: number } }>
    )
      .selectFrom('paystream_outbox')
      .select('payload')
      .where('subject', '=', outTradeNo)
      .orderBy('position')
      .execute();
    return rows.map((r) => JSON.parse(r.payload) as PaystreamEvent);
  };

  beforeAll(async () => {
    test = await createTestDatabase(kind);
    a = openDatabase<GatewaySchema>({ url: test.url });
    b = openDatabase<GatewaySchema>({ url: test.url });
    await prepareDatabase(a.db as never);
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await test?.drop();
  });

  it('records a transition once when two instances apply it from the same stale copy', async () => {
    const seen = newOrder(`cas-${kind}-1`);
    await recorder(a).recordNew(seen);
    const [first, second] = await Promise.all([
      recorder(a).apply({ order: seen }, to('paid', 'notify')),
      recorder(b).apply({ order: seen }, to('paid', 'query')),
    ]);
    expect([first.applied, second.applied].sort()).toEqual([false, true]);
    expect((await committed(seen.out_trade_no)).map((e) => e.type)).toEqual(['payment.succeeded']);
    const row = await findOrder(a.db, seen.out_trade_no);
    expect(row).toMatchObject({ status: 'paid', sequence: 1, version: 1 });
  });

  it('never writes a copy older than the row back: a later fact is kept', async () => {
    const seen = newOrder(`cas-${kind}-2`);
    await recorder(a).recordNew(seen);
    await recorder(a).apply({ order: seen }, to('paid', 'notify'));
    const paid = (await findOrder(a.db, seen.out_trade_no))!;
    await recorder(a).apply({ order: paid }, to('canceled', 'cancel'));
    const before = (await committed(seen.out_trade_no)).length;
    // Another instance still holds the `paid` copy and records a refusal on it.
    const refusal = await recorder(b).apply({ order: paid }, ({ order }) => ({
      order: { ...order, last_code: '-55' },
      events: [{ type: 'payment.cancel_failed', operation: 'cancel', code: '-55', category: 'cancel_rule' }],
    }));
    expect(refusal.applied).toBe(true);
    const row = await findOrder(a.db, seen.out_trade_no);
    expect(row).toMatchObject({ status: 'canceled', last_code: '-55', sequence: 3 });
    expect((await committed(seen.out_trade_no)).slice(before).map((e) => [e.type, e.data.sequence])).toEqual([
      ['payment.cancel_failed', 3],
    ]);
    // A lagging view from the stale copy changes nothing.
    const lagging = await recorder(b).apply({ order: paid }, to('paid', 'query'));
    expect(lagging.applied).toBe(false);
    expect(lagging.order.status).toBe('paid');
    expect((await findOrder(a.db, seen.out_trade_no))!.status).toBe('canceled');
  });

  it('hands out gapless sequences under concurrent writes from both instances', async () => {
    const seen = newOrder(`cas-${kind}-3`);
    await recorder(a).recordNew(seen);
    const note =
      (i: number): ChangeOf =>
      ({ order }) => ({
        order: { ...order, query_code: String(i) },
        events: [{ type: 'payment.query_failed', operation: 'query', code: '-99', category: 'system' }],
      });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => recorder(i % 2 ? a : b).apply({ order: seen }, note(i))),
    );
    const events = await committed(seen.out_trade_no);
    // In the outbox in sequence order: the relay publishes an order's events as they were numbered.
    expect(events.map((e) => e.data.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const sequences = events.map((e) => e.data.sequence).sort((x, y) => x - y);
    expect(sequences).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await findOrder(a.db, seen.out_trade_no))!).toMatchObject({ sequence: 20, version: 20 });
  });
});
