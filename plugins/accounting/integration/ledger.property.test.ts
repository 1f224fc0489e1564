// The ledger's invariants under at-least-once delivery: random sequences of payments, refunds,
// cancels of paid orders and payments after close, with duplicates, reorderings, redeliveries and
// re-emissions under new ids, applied to the real storage (SQLite and PostgreSQL). After each
// sequence: debits = credits per currency, every account's balance = the sum of its postings, each
// fact booked at most once, and what a refund or cancel books follows from the entries of its
// order's earlier events. Booking in batches gives what booking one by one gives.

import type { Kysely } from '@paystream/plugin-sdk';
import { makeEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BookedEvent,
  bookingFor,
  bookingKey,
  createAccountingPlugin,
  type Held,
  heldAfter,
  Ledger,
  type LedgerSchema,
  NOTHING_HELD,
} from '../src/index.js';

type Kind = 'payment' | 'refund' | 'cancel' | 'late';
type Fact = { order: number; kind: Kind; refund: number; amount: number };

const factArb: fc.Arbitrary<Fact> = fc.record({
  order: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom<Kind>('payment', 'refund', 'refund', 'cancel', 'late'),
  refund: fc.integer({ min: 0, max: 3 }),
  amount: fc.integer({ min: 1, max: 10_000_000 }),
});

// One delivery: which fact, under which of its event ids (a re-emission uses another id).
const scenarioArb = fc.record({
  facts: fc.uniqueArray(factArb, {
    minLength: 1,
    maxLength: 10,
    selector: (f) => (f.kind === 'refund' ? `${f.order}:refund:${f.refund}` : `${f.order}:${f.kind}`),
  }),
  deliveries: fc.array(fc.record({ fact: fc.nat(), copy: fc.integer({ min: 0, max: 1 }) }), {
    minLength: 1,
    maxLength: 24,
  }),
});

const TYPES = {
  payment: 'payment.succeeded',
  refund: 'refund.succeeded',
  cancel: 'payment.canceled',
  late: 'payment.paid_after_close',
} as const;

// A fact's sequence in its order is its place in the scenario: the gateway's order of the facts.
function eventOf(prefix: string, facts: readonly Fact[], index: number, copy: number): BookedEvent {
  const f = facts[index]!;
  const [e] = makeEvents({
    prefix: `${prefix}-${f.order}`,
    type: TYPES[f.kind],
    data: {
      sequence: index + 1,
      // Order attributes follow the order, so a refund's currency and wallet match its payment's.
      currency: f.order % 2 === 0 ? 'HKD' : 'CNY',
      wallet: f.order % 2 === 0 ? 'WECHATHK' : 'ALIPAYCN',
      amountMinor: f.amount,
      ...(f.kind === 'refund' ? { refundNo: `R${f.refund}`, refundAmountMinor: f.amount } : {}),
    },
  });
  return { ...e!, id: `${prefix}:${index}:${copy}` } as BookedEvent;
}

/** The model: what an event books given the entries booked so far for its order's earlier events. */
class Model {
  private readonly moves = new Map<string, { sequence: number; held: Held }[]>();
  private readonly keys = new Set<string>();
  private readonly ids = new Set<string>();

  /** What booking `e` one more time gives: its outcome kind and the postings it adds. */
  book(e: BookedEvent) {
    if (this.ids.has(e.id)) return { kind: 'duplicate' as const, postings: [] };
    const key = bookingKey(e);
    if (this.keys.has(key)) return { kind: 'duplicate' as const, postings: [] };
    const list = this.moves.get(e.data.outTradeNo) ?? [];
    const before = list
      .filter((m) => m.sequence < e.data.sequence)
      .reduce(
        (h, m) => ({ heldMinor: h.heldMinor + m.held.heldMinor, lateMinor: h.lateMinor + m.held.lateMinor }),
        NOTHING_HELD,
      );
    const booking = bookingFor(e, before);
    if (!booking) return { kind: 'nothing' as const, postings: [] };
    this.ids.add(e.id);
    this.keys.add(key);
    list.push({ sequence: e.data.sequence, held: heldAfter(NOTHING_HELD, booking.postings) });
    this.moves.set(e.data.outTradeNo, list);
    return { kind: 'booked' as const, postings: booking.postings };
  }
}

describe.each(['sqlite', 'postgres'] as const)('ledger invariants on %s', (database) => {
  let t: TestHost;
  let ledger: Ledger;
  beforeAll(async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
      database,
    });
    ledger = new Ledger(t.database.db as Kysely<LedgerSchema>);
  });
  afterAll(async () => {
    await t?.close();
  });

  const net = (rows: { account: string; currency: string; debitMinor: number; creditMinor: number }[]) =>
    new Map(rows.map((r) => [`${r.account}|${r.currency}`, r.debitMinor - r.creditMinor]));

  it('keeps debits = credits, balances = postings, one entry per fact, bookings as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ facts, deliveries }) => {
        const prefix = runId();
        const model = new Model();
        const moved = new Map<string, number>(); // `${account}|${currency}` → debit - credit
        const before = net(await ledger.totalsFromPostings());
        for (const d of deliveries) {
          const event = eventOf(prefix, facts, d.fact % facts.length, d.copy);
          const outcome = await ledger.book(event);
          const expected = model.book(event);
          expect(outcome.kind).toBe(expected.kind);
          if (outcome.kind === 'booked') expect(outcome.entry.postings).toEqual(expected.postings);
          for (const p of expected.postings) {
            const k = `${p.account}|${p.currency}`;
            moved.set(k, (moved.get(k) ?? 0) + (p.side === 'debit' ? p.amountMinor : -p.amountMinor));
          }
        }
        for (const tb of await ledger.trialBalance()) expect(tb.debitMinor).toBe(tb.creditMinor);
        const fromPostings = await ledger.totalsFromPostings();
        expect(await ledger.balances()).toEqual(fromPostings);
        for (const [k, v] of net(fromPostings)) expect(v - (before.get(k) ?? 0)).toBe(moved.get(k) ?? 0);
        for (const order of new Set(facts.map((f) => f.order))) {
          const journal = await ledger.journal(`${prefix}-${order}-0`);
          const keys = journal.map((e) => `${e.eventType}:${e.refundNo}`);
          expect(new Set(keys).size).toBe(keys.length);
        }
      }),
      { numRuns: database === 'postgres' ? 15 : 40 },
    );
  });

  it('books batches exactly as it books their events one after the other', async () => {
    const db = t.database.db as Kysely<LedgerSchema>;
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1 }),
        async ({ facts, deliveries }, cuts) => {
          // The same deliveries twice, on orders of their own: one by one, then in batches.
          const [one, batched] = [runId(), runId()];
          const eventsOf = (prefix: string) =>
            deliveries.map((d) => eventOf(prefix, facts, d.fact % facts.length, d.copy));
          const start = net(await ledger.totalsFromPostings());
          const single: string[] = [];
          for (const e of eventsOf(one)) single.push((await ledger.book(e)).kind);
          const middle = net(await ledger.totalsFromPostings());

          const events = eventsOf(batched);
          const outcomes: string[] = [];
          for (let i = 0, c = 0; i < events.length; c += 1) {
            const size = cuts[c % cuts.length]!;
            const batch = events.slice(i, i + size);
            i += size;
            const booked = await db.transaction().execute((trx) => ledger.bookAll(trx, batch));
            outcomes.push(...booked.map((o) => o.kind));
          }
          expect(outcomes).toEqual(single);
          for (const tb of await ledger.trialBalance()) expect(tb.debitMinor).toBe(tb.creditMinor);
          const end = await ledger.totalsFromPostings();
          expect(await ledger.balances()).toEqual(end);
          // Both runs moved every account by the same amounts, and booked the same journal.
          for (const [k, v] of net(end))
            expect(v - (middle.get(k) ?? 0)).toBe((middle.get(k) ?? 0) - (start.get(k) ?? 0));
          // (As sets: entries of one batch share their time, so the journal lists them by sequence.)
          for (const order of new Set(facts.map((f) => f.order))) {
            const entries = async (prefix: string) =>
              (await ledger.journal(`${prefix}-${order}-0`))
                .map((e) => JSON.stringify([e.eventType, e.refundNo, e.postings]))
                .sort();
            expect(await entries(batched)).toEqual(await entries(one));
          }
        },
      ),
      { numRuns: database === 'postgres' ? 15 : 40 },
    );
  });
});
