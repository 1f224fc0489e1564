// The ledger's invariants under at-least-once delivery: random sequences of payments and refunds,
// with duplicates, reorderings, redeliveries and re-emissions under new ids, applied to the real
// storage (SQLite and PostgreSQL). After each sequence: debits = credits per currency, every
// account's balance = the sum of its postings, and each payment or refund is booked exactly once.
import { makeEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-host/testing';
import type { Kysely } from '@paystream/plugin-sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BookedEvent,
  bookingFor,
  createAccountingPlugin,
  Ledger,
  type LedgerSchema,
} from '../src/index.js';

type Fact = { order: number; refund: number | null; amount: number };

const factArb: fc.Arbitrary<Fact> = fc.record({
  order: fc.integer({ min: 0, max: 5 }),
  refund: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  amount: fc.integer({ min: 1, max: 10_000_000 }),
});

// One delivery: which fact, under which of its event ids (a re-emission uses another id).
const scenarioArb = fc.record({
  facts: fc.uniqueArray(factArb, { minLength: 1, maxLength: 8, selector: (f) => `${f.order}:${f.refund}` }),
  deliveries: fc.array(fc.record({ fact: fc.nat(), copy: fc.integer({ min: 0, max: 1 }) }), {
    minLength: 1,
    maxLength: 24,
  }),
});

function eventOf(prefix: string, f: Fact, copy: number): BookedEvent {
  const type = f.refund === null ? 'payment.succeeded' : 'refund.succeeded';
  const [e] = makeEvents({
    prefix: `${prefix}-${f.order}`,
    type,
    data: {
      // Order attributes follow the order, so a refund's currency and wallet match its payment's.
      currency: f.order % 2 === 0 ? 'HKD' : 'CNY',
      wallet: f.order % 2 === 0 ? 'WECHATHK' : 'ALIPAYCN',
      amountMinor: f.amount,
      ...(f.refund === null ? {} : { refundNo: `R${f.refund}`, refundAmountMinor: f.amount }),
    },
  });
  return { ...e!, id: `${prefix}:${f.order}:${f.refund}:${copy}` } as BookedEvent;
}

describe.each(['sqlite', 'postgres'] as const)('ledger invariants on %s', (database) => {
  let t: TestHost;
  let ledger: Ledger;
  beforeAll(async () => {
    t = await startTestHost({ plugins: [createAccountingPlugin({ reconcileIntervalMs: 0 })], database });
    ledger = new Ledger(t.database.db as Kysely<LedgerSchema>);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps debits = credits, balances = postings, one entry per fact', async () => {
    const expected = new Map<string, number>(); // `${account}|${currency}` → debit - credit
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ facts, deliveries }) => {
        const prefix = runId();
        const booked = new Set<string>();
        for (const d of deliveries) {
          const fact = facts[d.fact % facts.length]!;
          const event = eventOf(prefix, fact, d.copy);
          const outcome = await ledger.book(event);
          const booking = bookingFor(event);
          expect(outcome.kind).toBe(booked.has(booking.key) ? 'duplicate' : 'booked');
          if (outcome.kind === 'booked') {
            booked.add(booking.key);
            for (const p of booking.postings) {
              const k = `${p.account}|${p.currency}`;
              expected.set(k, (expected.get(k) ?? 0) + (p.side === 'debit' ? p.amountMinor : -p.amountMinor));
            }
          }
        }
        for (const tb of await ledger.trialBalance()) expect(tb.debitMinor).toBe(tb.creditMinor);
        const fromPostings = await ledger.totalsFromPostings();
        expect(await ledger.balances()).toEqual(fromPostings);
        for (const row of fromPostings)
          expect(row.debitMinor - row.creditMinor).toBe(expected.get(`${row.account}|${row.currency}`));
        for (const order of new Set(facts.map((f) => f.order))) {
          const journal = await ledger.journal(`${prefix}-${order}-0`);
          const keys = journal.map((e) => (e.refundNo ? `refund:${e.refundNo}` : 'payment'));
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
          const prefix = runId();
          const events = deliveries.map((d) => {
            const fact = facts[d.fact % facts.length]!;
            return eventOf(prefix, fact, d.copy);
          });
          // What booking them one after the other says of each.
          const keys = new Set<string>();
          const ids = new Set<string>();
          const expected = events.map((e) => {
            const key = bookingFor(e).key;
            if (ids.has(e.id)) return 'duplicate';
            if (keys.has(key)) return 'duplicate';
            ids.add(e.id);
            keys.add(key);
            return 'booked';
          });
          const before = await ledger.totalsFromPostings();
          const outcomes: string[] = [];
          for (let i = 0, c = 0; i < events.length; c += 1) {
            const size = cuts[c % cuts.length]!;
            const batch = events.slice(i, i + size);
            i += size;
            const booked = await db.transaction().execute((trx) => ledger.bookAll(trx, batch));
            outcomes.push(...booked.map((o) => o.kind));
          }
          expect(outcomes).toEqual(expected);
          for (const tb of await ledger.trialBalance()) expect(tb.debitMinor).toBe(tb.creditMinor);
          const after = await ledger.totalsFromPostings();
          expect(await ledger.balances()).toEqual(after);
          // The postings added are exactly those of the facts booked, once each.
          const moved = new Map<string, number>();
          events.forEach((e, i) => {
            if (expected[i] !== 'booked') return;
            for (const p of bookingFor(e).postings) {
              const k = `${p.account}|${p.currency}`;
              moved.set(k, (moved.get(k) ?? 0) + (p.side === 'debit' ? p.amountMinor : -p.amountMinor));
            }
          });
          const net = (rows: typeof after) =>
            new Map(rows.map((r) => [`${r.account}|${r.currency}`, r.debitMinor - r.creditMinor]));
          const was = net(before);
          for (const [k, v] of net(after)) expect(v - (was.get(k) ?? 0)).toBe(moved.get(k) ?? 0);
        },
      ),
      { numRuns: database === 'postgres' ? 15 : 40 },
    );
  });
});
