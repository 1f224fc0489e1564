// Property-based state-machine test against the sandbox: random interleavings of the customer
// paying (notify), a redelivered notify, a lagging query, reads, refunds (new and retried),
// cancel and close. Whatever the order: the status never moves backwards, each transition's
// event appears once, and the gateway's refunded total is the aggregator's.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';
import { STATUS_OF_WIRE } from './__fixtures__/wire-status.js';
import type { OrderStatus } from './store/schema.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});

interface Real {
  no: string;
  /** Every status the record went through, in order. */
  statuses: OrderStatus[];
  refunds: { refundNo: string; amount: string }[];
}
type Model = Record<string, never>;

// How far along its life an order is, written independently of the gateway's table so the
// invariant does not check the table against itself.
const RANK: Record<OrderStatus, number> = {
  unknown: 0,
  failed: 0,
  pending: 1,
  paid: 2,
  closed: 2,
  partially_refunded: 3,
  refunded: 4,
  canceled: 4,
  // Only a notify the sandbox never sends reaches it (notify.test.ts covers it).
  paid_after_close: 3,
};

async function recorded(no: string): Promise<OrderStatus> {
  const row = await h.db
    .selectFrom('gateway_orders')
    .select('status')
    .where('out_trade_no', '=', no)
    .executeTakeFirstOrThrow();
  return row.status;
}

/** One step, then the invariant that holds after every step: no move backwards. */
function step(name: string, act: (r: Real) => Promise<void>): fc.AsyncCommand<Model, Real> {
  return {
    check: () => true,
    async run(_m, r) {
      await act(r);
      const now = await recorded(r.no);
      const before = r.statuses.at(-1)!;
      if (now !== before) {
        expect(RANK[now], `${name}: ${before} -> ${now}`).toBeGreaterThan(RANK[before]);
        r.statuses.push(now);
      }
    },
    toString: () => name,
  };
}

const sandboxStatus = (no: string) => h.sandbox.state.orders.get(no)?.status;

const commands = [
  fc.constant(
    step('pay', async (r) => {
      if (sandboxStatus(r.no) === 'PENDING') await h.pay(r.no);
    }),
  ),
  fc.constant(
    step('redeliver notify', async (r) => {
      if (h.sandbox.state.orders.get(r.no)?.lastNotifyId) {
        expect(await h.controls.redeliverNotify(r.no)).toMatchObject({ status: 200 });
      }
    }),
  ),
  fc.constant(
    step('lagging read', async (r) => {
      await h.controls.lagQueries(r.no, 1);
      expect((await h.get(`/v1/payments/${r.no}`)).status).toBe(200);
    }),
  ),
  fc.constant(
    step('read', async (r) => {
      expect((await h.get(`/v1/payments/${r.no}`)).status).toBe(200);
    }),
  ),
  fc.integer({ min: 1, max: 600 }).map((cents) =>
    step(`refund ${cents}`, async (r) => {
      const refund = { refundNo: `r${r.refunds.length + 1}`, amount: (cents / 100).toFixed(2) };
      r.refunds.push(refund);
      expect((await h.post(`/v1/payments/${r.no}/refunds`, refund)).status).toBeLessThan(500);
    }),
  ),
  fc.constant(
    step('retry last refund', async (r) => {
      const last = r.refunds.at(-1);
      if (last) expect((await h.post(`/v1/payments/${r.no}/refunds`, last)).status).toBeLessThan(500);
    }),
  ),
  fc.constant(
    step('cancel', async (r) => {
      expect((await h.post(`/v1/payments/${r.no}/cancel`)).status).toBeLessThan(500);
    }),
  ),
  fc.constant(
    step('close', async (r) => {
      expect((await h.post(`/v1/payments/${r.no}/close`)).status).toBeLessThan(500);
    }),
  ),
];

it('keeps every order moving forward, each event once, refunds equal to the aggregator’s', async () => {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 10 }), async (cmds) => {
      const no = h.nextNo('prop');
      expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
      const real: Real = { no, statuses: ['pending'], refunds: [] };
      await fc.asyncModelRun(() => ({ model: {}, real }), cmds);

      // A plain read (no lag) brings the record level with the aggregator.
      const read = await h.get(`/v1/payments/${no}`);
      const upstream = h.sandbox.state.orders.get(no)!;
      expect(read.body.status).toBe(STATUS_OF_WIRE[upstream.status]);
      const upstreamRefunded = upstream.refunds.reduce((sum, x) => sum + x.amount, 0);
      expect(read.body.refundedAmount).toBe((upstreamRefunded / 100).toFixed(2));

      const events = await h.eventsFor(no);
      expect(events.map((e) => e.data.sequence)).toEqual(events.map((_, i) => i + 1));
      const count = (type: string) => events.filter((e) => e.type === type).length;
      expect(count('payment.created')).toBe(1);
      expect(count('payment.succeeded')).toBe(upstream.paidAt ? 1 : 0);
      expect(count('payment.canceled')).toBe(upstream.status === 'CANCELED' ? 1 : 0);
      expect(count('payment.closed')).toBe(upstream.status === 'CLOSED' ? 1 : 0);
      const refunded = events.filter((e) => e.type === 'refund.succeeded').map((e) => e.data.refundNo);
      expect(new Set(refunded).size).toBe(refunded.length);
      expect(refunded).toHaveLength(upstream.refunds.length);
    }),
    { numRuns: 40 },
  );
});
