// Every money movement the aggregator reports reaches the ledger. Random interleavings of what
// callers and customers do to a few orders at once — pay, close, pay after the close, cancel a paid
// order, refunds (partial, full, refused), notifies delivered again, reads — run through the whole
// platform (gateway, sandbox, embedded bus, ledger). Afterwards, for every order, the money the
// ledger holds for it in clearing equals what the sandbox says the aggregator holds, money paid
// after a close is owed back in full, and the trial balance is zero.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runId, waitFor } from '@paystream/bus/testing';
import { loadConfig } from '@paystream/config';
import { sandboxControls } from '@paystream/upstream-sandbox';
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AllInOne, startAllInOne } from '../src/start.js';
import { gatewayCaller } from './fixtures/call.js';

const dir = mkdtempSync(join(tmpdir(), 'paystream-money-'));
let platform: AllInOne;
const call = gatewayCaller(() => platform);
const run = runId();
let counter = 0;

beforeAll(async () => {
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
    OUTBOX_POLL_INTERVAL_MS: '20',
  });
  platform = await startAllInOne(config, pino({ level: 'silent' }));
});
afterAll(async () => {
  await platform?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Step =
  | { kind: 'pay' | 'close' | 'cancel' | 'payLate' | 'redeliver' | 'read' }
  | { kind: 'refund'; cents: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom<Step>(
    { kind: 'pay' },
    { kind: 'close' },
    { kind: 'cancel' },
    { kind: 'payLate' },
    { kind: 'redeliver' },
    { kind: 'read' },
  ),
  fc.constantFrom(100, 250, 1000, 2500).map((cents): Step => ({ kind: 'refund', cents })),
);

// How an order's life starts, so that every money path is common, not a rare accident of the
// draw: paid, closed and then paid late, closed, left pending, paid and then canceled.
const opening = fc.constantFrom<Step[]>(
  [{ kind: 'pay' }],
  [{ kind: 'close' }, { kind: 'payLate' }],
  [{ kind: 'close' }],
  [],
  [{ kind: 'pay' }, { kind: 'cancel' }],
);

/** Up to three orders, each an opening and then anything; `picks` interleaves the orders' steps. */
const scenario = fc.record({
  orders: fc.array(
    fc.record({
      cents: fc.constantFrom(1000, 2500),
      steps: fc.tuple(opening, fc.array(step, { maxLength: 6 })).map(([first, more]) => [...first, ...more]),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  picks: fc.array(fc.nat(2), { minLength: 30, maxLength: 30 }),
});

const decimal = (cents: number) => (cents / 100).toFixed(2);

async function apply(no: string, s: Step, refunds: { n: number }): Promise<void> {
  const controls = sandboxControls(platform.sandbox!.url);
  switch (s.kind) {
    case 'pay':
      await controls.pay(no);
      return;
    case 'payLate':
      await controls.pay(no, { late: true });
      return;
    case 'redeliver':
      await fetch(`${platform.sandbox!.url}/__sandbox/orders/${no}/notify`, { method: 'POST' });
      return;
    case 'read':
      await call('GET', `/v1/payments/${no}`);
      return;
    case 'close':
    case 'cancel':
      await call('POST', `/v1/payments/${no}/${s.kind}`);
      return;
    case 'refund':
      refunds.n += 1;
      await call('POST', `/v1/payments/${no}/refunds`, {
        refundNo: `r${refunds.n}`,
        amount: decimal(s.cents),
      });
      return;
  }
}

/** What the aggregator holds for an order (minor units), and how much of it arrived after a close. */
async function aggregatorHolds(no: string): Promise<{ held: number; late: number }> {
  const res = await fetch(`${platform.sandbox!.url}/__sandbox/orders/${no}`);
  const order = (await res.json()) as {
    status: string;
    transaction_amount: string;
    refunds: { refund_amount: string }[];
    closed_at?: string;
  };
  const amount = Math.round(Number(order.transaction_amount) * 100);
  const refunded = order.refunds.reduce((sum, r) => sum + Math.round(Number(r.refund_amount) * 100), 0);
  const paid = ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(order.status);
  const held = paid ? amount - refunded : 0;
  return { held, late: paid && order.closed_at ? held : 0 };
}

/** What the ledger holds for an order: its clearing balance and what it owes back as late money. */
async function ledgerHolds(no: string): Promise<{ held: number; late: number }> {
  const { body } = await call('GET', `/plugins/accounting/journal?outTradeNo=${no}`);
  let held = 0;
  let late = 0;
  for (const entry of body.entries as { postings: { account: string; side: string; amount: string }[] }[]) {
    for (const p of entry.postings) {
      const cents = Math.round(Number(p.amount) * 100) * (p.side === 'debit' ? 1 : -1);
      if (p.account.startsWith('assets:clearing:')) held += cents;
      if (p.account === 'liabilities:late-payments') late -= cents;
    }
  }
  return { held, late };
}

/** Waits until the gateway's outbox is sent and the ledger has handled everything on the bus. */
async function settle(): Promise<void> {
  await platform.gateway.relay.flush();
  await waitFor(
    'the ledger caught up',
    async () => {
      const status = await platform.plugins.status();
      return status.every((p) => p.lag === 0 || p.lag === null) ? true : undefined;
    },
    { timeoutMs: 20_000 },
  );
}

it('keeps the ledger equal to the aggregator, per order, whatever happens in whatever order', async () => {
  // Orders that ended holding money, and holding money paid after a close: the draw must reach both.
  const seen = { held: 0, late: 0 };
  await fc.assert(
    fc.asyncProperty(scenario, async (drawn) => {
      const orders = drawn.orders.map((o) => ({
        no: `money-${run}-${++counter}`,
        cents: o.cents,
        steps: [...o.steps],
        refunds: { n: 0 },
      }));
      for (const o of orders) {
        const created = await call('POST', '/v1/payments', {
          outTradeNo: o.no,
          amount: decimal(o.cents),
          currency: 'HKD',
          wallet: 'WECHATHK',
        });
        expect(created.status).toBe(201);
      }
      // One order's next step at a time, the order drawn: the orders' lives interleave.
      for (const pick of drawn.picks) {
        const live = orders.filter((o) => o.steps.length > 0);
        if (live.length === 0) break;
        const o = live[pick % live.length]!;
        await apply(o.no, o.steps.shift()!, o.refunds);
      }
      for (const o of orders) for (const s of o.steps.splice(0)) await apply(o.no, s, o.refunds);
      // Reads settle what only a query can tell (a late payment whose notify is still retrying).
      for (const o of orders) await call('GET', `/v1/payments/${o.no}`);
      await settle();
      for (const o of orders) {
        const expected = await aggregatorHolds(o.no);
        if (expected.held > 0) seen.held += 1;
        if (expected.late > 0) seen.late += 1;
        await waitFor(
          `the ledger of ${o.no}`,
          async () => {
            const actual = await ledgerHolds(o.no);
            return actual.held === expected.held && actual.late === expected.late ? true : undefined;
          },
          { timeoutMs: 10_000 },
        ).catch(async () => {
          expect({ order: o.no, ...(await ledgerHolds(o.no)) }).toEqual({ order: o.no, ...expected });
        });
      }
    }),
    { numRuns: 25 },
  );
  const { body } = await call('GET', '/plugins/accounting/trial-balance');
  const rows = (Array.isArray(body) ? body : body.currencies) as {
    currency: string;
    debit: string;
    credit: string;
  }[];
  for (const row of rows) expect(row.debit).toBe(row.credit);
  expect(seen.held).toBeGreaterThan(0);
  expect(seen.late).toBeGreaterThan(0);
}, 300_000);
