// The ledger against what the aggregator holds, through the real host (embedded bus, SQLite):
// random orders, each along a lifecycle the gateway can report (unpaid and closed or left pending;
// paid, partly or fully refunded, maybe canceled; closed and then paid after close, maybe refunded;
// paid, canceled and then paid again after the cancel), their events interleaved at random across
// orders (each order's in its own order, as the Kafka key keeps them), some delivered twice under
// the same id. After each run, for every order: the money the ledger holds in clearing equals what
// the aggregator holds, the part owed back (late payments) equals what is left of payments after
// close (clearing and the liability moved by just that), and no account is named after the
// caller's metadata; debits equal credits, balances equal postings; and booking every event
// again, past the host's dedupe, changes nothing.

import type { Kysely } from '@paystream/plugin-sdk';
import { lifecycle, runId, type Step, startTestHost, type TestHost } from '@paystream/plugin-testing';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  BOOKED_TYPES,
  type BookedEvent,
  createAccountingPlugin,
  LATE_PAYMENTS_ACCOUNT,
  Ledger,
  type LedgerSchema,
} from '../src/index.js';

type Path = 'unpaid' | 'closed' | 'paid' | 'late' | 'reversed-then-late';

interface OrderPlan {
  path: Path;
  amountMinor: number;
  /** Shares of the amount each refund takes (refunds stop before they would exceed it). */
  refunds: number[];
  /** Refund the rest in full at the end. */
  refundRest: boolean;
  cancel: boolean;
  declinedRefund: boolean;
  caller: string | undefined;
}

const planArb: fc.Arbitrary<OrderPlan> = fc.record({
  path: fc.constantFrom<Path>('unpaid', 'closed', 'paid', 'paid', 'late', 'reversed-then-late'),
  amountMinor: fc.integer({ min: 2, max: 5_000_000 }),
  refunds: fc.array(fc.double({ min: 0.01, max: 0.6, noNaN: true }), { maxLength: 3 }),
  refundRest: fc.boolean(),
  cancel: fc.boolean(),
  declinedRefund: fc.boolean(),
  // A name that is not a safe account name falls back to the plain account.
  caller: fc.constantFrom<string | undefined>('svc-a', 'svc-b', undefined, 'not a name!'),
});

const runArb = fc.record({
  orders: fc.array(planArb, { minLength: 1, maxLength: 5 }),
  // Which order's next event goes next, and which deliveries are made twice.
  picks: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  again: fc.array(fc.record({ at: fc.nat(), after: fc.nat() }), { maxLength: 6 }),
});

/** The steps of a plan, and what the aggregator holds at the end (all of it, and the late part). */
function stepsOf(p: OrderPlan): { steps: Step[]; heldMinor: number; lateMinor: number } {
  const refundSteps = (): { steps: Step[]; total: number } => {
    const steps: Step[] = [];
    let total = 0;
    for (const [i, share] of p.refunds.entries()) {
      const amountMinor = Math.max(1, Math.floor(p.amountMinor * share));
      if (total + amountMinor > p.amountMinor) break;
      if (p.declinedRefund && i === 0) steps.push({ refund: `D${i}`, amountMinor, declined: true });
      steps.push({ refund: `R${i}`, amountMinor });
      total += amountMinor;
    }
    if (p.refundRest && total < p.amountMinor) {
      steps.push({ refund: 'RF', amountMinor: p.amountMinor - total });
      total = p.amountMinor;
    }
    return { steps, total };
  };
  switch (p.path) {
    case 'unpaid':
      return { steps: ['payment.created'], heldMinor: 0, lateMinor: 0 };
    case 'closed':
      return { steps: ['payment.created', 'payment.closed'], heldMinor: 0, lateMinor: 0 };
    case 'paid': {
      const r = refundSteps();
      // The aggregator cancels an order it still holds money of: it gives back what is left.
      const cancel = p.cancel && r.total < p.amountMinor;
      return {
        steps: [
          'payment.created',
          'payment.succeeded',
          ...r.steps,
          ...(cancel ? (['payment.cancel_failed', 'payment.canceled'] as Step[]) : []),
        ],
        heldMinor: cancel ? 0 : p.amountMinor - r.total,
        lateMinor: 0,
      };
    }
    case 'late': {
      const r = refundSteps();
      const held = p.amountMinor - r.total;
      return {
        steps: ['payment.created', 'payment.closed', 'payment.paid_after_close', ...r.steps],
        heldMinor: held,
        lateMinor: held,
      };
    }
    case 'reversed-then-late': {
      const r = refundSteps();
      const held = p.amountMinor - r.total;
      return {
        steps: [
          'payment.created',
          'payment.succeeded',
          'payment.canceled',
          'payment.paid_after_close',
          ...r.steps,
        ],
        heldMinor: held,
        lateMinor: held,
      };
    }
  }
}

let t: TestHost;
let ledger: Ledger;
beforeAll(async () => {
  t = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
  });
  ledger = new Ledger(t.database.db as Kysely<LedgerSchema>);
});
afterAll(async () => {
  await t?.close();
});

it('holds per order what the aggregator holds, whatever the interleaving and redeliveries', async () => {
  await fc.assert(
    fc.asyncProperty(runArb, async ({ orders, picks, again }) => {
      const run = runId();
      const planned = orders.map((p, i) => {
        const outTradeNo = `lc-${run}-${i}`;
        const { steps, heldMinor, lateMinor } = stepsOf(p);
        const events = lifecycle(outTradeNo, steps, {
          amountMinor: p.amountMinor,
          ...(p.caller !== undefined ? { caller: p.caller } : {}),
          metadata: { caller: `meta-${i}` },
        });
        return { outTradeNo, events, heldMinor, lateMinor };
      });
      // Interleave: each pick takes the next event of one of the orders that has some left.
      const next = planned.map(() => 0);
      const merged = [];
      for (let k = 0; merged.length < planned.reduce((n, o) => n + o.events.length, 0); k += 1) {
        const open = planned.flatMap((o, i) => (next[i]! < o.events.length ? [i] : []));
        const i = open[(picks[k % picks.length] ?? 0) % open.length]!;
        merged.push(planned[i]!.events[next[i]!]!);
        next[i]! += 1;
      }
      // Redeliveries: an event again, later than its first delivery.
      for (const { at, after } of again) {
        const from = at % merged.length;
        const to = from + 1 + (after % (merged.length - from));
        merged.splice(to, 0, merged[from]!);
      }
      const net = async () => {
        const rows = await ledger.totalsFromPostings();
        const sum = (pick: (account: string) => boolean) =>
          rows.filter((r) => pick(r.account)).reduce((n, r) => n + r.debitMinor - r.creditMinor, 0);
        return {
          clearing: sum((a) => a.startsWith('assets:clearing:')),
          late: -sum((a) => a === LATE_PAYMENTS_ACCOUNT),
        };
      };
      const before = await net();
      await t.publish(merged);

      for (const o of planned) {
        const totals = await ledger.orderTotals(o.outTradeNo);
        expect({ order: o.outTradeNo, held: totals.heldMinor, late: totals.lateHeldMinor }).toEqual({
          order: o.outTradeNo,
          held: o.heldMinor,
          late: o.lateMinor,
        });
        for (const entry of await ledger.journal(o.outTradeNo))
          for (const p of entry.postings) expect(p.account).not.toMatch(/meta-/);
      }
      for (const tb of await ledger.trialBalance()) expect(tb.debitMinor).toBe(tb.creditMinor);
      const postings = await ledger.totalsFromPostings();
      expect(await ledger.balances()).toEqual(postings);
      // Clearing moved by what the aggregator now holds for these orders, the liability by what is owed back.
      const after = await net();
      expect(after.clearing - before.clearing).toBe(planned.reduce((n, o) => n + o.heldMinor, 0));
      expect(after.late - before.late).toBe(planned.reduce((n, o) => n + o.lateMinor, 0));

      // The same events again straight to the ledger (a crash after booking, before the host
      // recorded them done): each is a duplicate or finds nothing to book.
      const booked = merged.filter((e): e is BookedEvent =>
        (BOOKED_TYPES as readonly string[]).includes(e.type),
      );
      const db = t.database.db as Kysely<LedgerSchema>;
      const outcomes = await db.transaction().execute((trx) => ledger.bookAll(trx, booked));
      expect(outcomes.filter((x) => x.kind === 'booked')).toEqual([]);
      expect(await ledger.totalsFromPostings()).toEqual(postings);
    }),
    { numRuns: 40 },
  );
});
