// Reconciliation against the aggregator's `query` (the sandbox): agreeing orders pass, each kind of
// disagreement is reported with both sides, the gauge counts the last run, and the schedule runs it.
// A cancel of a paid order (a reversal) and a payment after close agree once the ledger booked them.

import type { Kysely, UpstreamQuery } from '@paystream/plugin-sdk';
import {
  lifecycle,
  orderEvents,
  runId,
  startTestHost,
  type TestHost,
  waitFor,
} from '@paystream/plugin-testing';
import { createUpstreamClient, type UpstreamClient } from '@paystream/upstream-client';
import {
  type RunningSandbox,
  SANDBOX_DEV_CREDENTIALS,
  sandboxControls,
  startSandbox,
} from '@paystream/upstream-sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccountingPlugin, Ledger, type LedgerSchema, reconcile } from '../src/index.js';

let sandbox: RunningSandbox;
let upstream: UpstreamClient;
let t: TestHost;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  upstream = createUpstreamClient({ baseUrl: sandbox.url, credentials: SANDBOX_DEV_CREDENTIALS });
});
afterAll(async () => {
  await t?.close();
  await upstream?.destroy();
  await sandbox?.close();
});

/** An order upstream: created, and paid when asked. */
async function upstreamOrder(outTradeNo: string, amount: number, paid: boolean) {
  const r = await upstream.createPayment({
    outTradeNo,
    amount: amount as never,
    currency: 'HKD',
    wallet: 'WECHATHK',
    notifyUrl: 'http://127.0.0.1:9/notify',
  });
  expect(r.outcome).toBe('success');
  if (paid) expect((await sandboxControls(sandbox.url).pay(outTradeNo, { notify: false })).status).toBe(200);
}

it('reports what the ledger and the aggregator disagree on, by kind, on a route and on a schedule', async () => {
  const run = runId();
  const [agrees, unpaid, short, ghost] = ['agrees', 'unpaid', 'short', 'ghost'].map((n) => `rec-${run}-${n}`);
  await upstreamOrder(agrees!, 1000, true);
  await upstreamOrder(unpaid!, 500, false);
  await upstreamOrder(short!, 800, true);
  t = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 200, dailyReconciliation: false })],
    upstream,
  });
  await t.publish([
    ...orderEvents(agrees!, { amountMinor: 1000 }),
    ...orderEvents(unpaid!, { amountMinor: 500 }), // the ledger booked a payment the aggregator never took
    ...orderEvents(short!, { amountMinor: 800, refundMinor: 300 }), // a refund the aggregator does not know
    ...orderEvents(ghost!, { amountMinor: 700 }), // an order the aggregator has never heard of
  ]);

  const res = await t.request('POST', '/plugins/accounting/reconciliation');
  expect(res.status).toBe(200);
  const { report } = res.body;
  expect(report.orders).toBe(4);
  expect(report.unavailable).toEqual([]);
  const kinds = Object.fromEntries(
    report.mismatches.map((m: { outTradeNo: string; kind: string }) => [m.outTradeNo, m.kind]),
  );
  expect(kinds).toEqual({
    [unpaid!]: 'payment_unexpected',
    [short!]: 'refunded_amount',
    [ghost!]: 'order_not_found',
  });
  expect(report.mismatches.find((m: { outTradeNo: string }) => m.outTradeNo === short)).toMatchObject({
    ledger: { paidMinor: 800, refundedMinor: 300 },
    upstream: { status: 'paid', amountMinor: 800, refundedMinor: 0 },
  });
  const metrics = await t.registry.metrics();
  expect(metrics).toMatch(/paystream_ledger_reconciliation_mismatches\{kind="payment_unexpected"\} 1/);
  expect(metrics).toMatch(/paystream_ledger_reconciliation_mismatches\{kind="amount"\} 0/);

  // A spot check of one order answers for that order only.
  const one = await t.request('POST', `/plugins/accounting/reconciliation?outTradeNo=${agrees}`);
  expect(one.body.report).toMatchObject({ orders: 1, mismatches: [] });
  // The schedule keeps the last full report fresh.
  const first = report.checkedAt;
  const scheduled = await waitFor('a scheduled run', async () => {
    const r = (await t.request('GET', '/plugins/accounting/reconciliation')).body.report;
    return r && r.checkedAt > first ? r : undefined;
  });
  expect(scheduled.mismatches).toHaveLength(3);
});

it('agrees with the aggregator after a cancel of a paid order and after a payment after close, and lists the late money', async () => {
  const run = runId();
  const [reversed, unbooked, late, lateRefunded] = ['reversed', 'unbooked', 'late', 'late-refunded'].map(
    (n) => `rec-${run}-${n}`,
  );
  // Paid, then canceled at the aggregator: it shows `canceled` and gave the amount back.
  for (const o of [reversed!, unbooked!]) {
    await upstreamOrder(o, 1000, true);
    expect((await upstream.cancelPayment({ outTradeNo: o })).outcome).toBe('success');
  }
  // Paid although Paystream had closed it: the sandbox answers `paid` for such an order.
  for (const o of [late!, lateRefunded!]) await upstreamOrder(o, 1200, true);
  const refund = await upstream.refundPayment({
    outTradeNo: lateRefunded!,
    refundNo: 'LR1',
    amount: 1200 as never,
    currency: 'HKD',
  });
  expect(refund.outcome).toBe('success');

  const host = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
    upstream,
  });
  try {
    await host.publish([
      ...lifecycle(reversed!, ['payment.created', 'payment.succeeded', 'payment.canceled']),
      // The cancel never reached the ledger: the sale is still booked.
      ...lifecycle(unbooked!, ['payment.created', 'payment.succeeded']),
      ...lifecycle(late!, ['payment.created', 'payment.closed', 'payment.paid_after_close'], {
        amountMinor: 1200,
      }),
      ...lifecycle(
        lateRefunded!,
        [
          'payment.created',
          'payment.closed',
          'payment.paid_after_close',
          { refund: 'LR1', amountMinor: 1200 },
        ],
        { amountMinor: 1200 },
      ),
    ]);
    const { report } = (await host.request('POST', '/plugins/accounting/reconciliation')).body;
    expect(report.unavailable).toEqual([]);
    expect(report.mismatches).toEqual([
      {
        outTradeNo: unbooked,
        kind: 'reversed_amount',
        ledger: {
          paidMinor: 1000,
          latePaidMinor: 0,
          refundedMinor: 0,
          reversedMinor: 0,
          heldMinor: 1000,
          lateHeldMinor: 0,
          currency: 'HKD',
        },
        upstream: { status: 'canceled', amountMinor: 1000, refundedMinor: 0, currency: 'HKD' },
      },
    ]);
    expect(report.latePayments).toEqual([{ outTradeNo: late, heldMinor: 1200, currency: 'HKD' }]);

    const ledger = new Ledger(host.database.db as Kysely<LedgerSchema>);
    expect(await ledger.orderTotals(reversed!)).toMatchObject({
      paidMinor: 1000,
      reversedMinor: 1000,
      heldMinor: 0,
    });
    expect(await ledger.orderTotals(lateRefunded!)).toMatchObject({
      latePaidMinor: 1200,
      refundedMinor: 1200,
      heldMinor: 0,
      lateHeldMinor: 0,
    });

    // An aggregator whose query keeps answering `closed` for the order paid after close agrees too;
    // one that answers `closed` for an order the ledger holds a sale of does not.
    const closedView: UpstreamQuery = {
      async queryOrder(outTradeNo) {
        return {
          outcome: 'found',
          outTradeNo,
          status: 'closed',
          amountMinor: 1200 as never,
          refundedMinor: 0 as never,
          currency: 'HKD',
        };
      },
    };
    const closed = await reconcile(ledger, closedView, [late!, unbooked!]);
    expect(closed.mismatches.map((m) => [m.outTradeNo, m.kind])).toEqual([[unbooked, 'payment_unexpected']]);
  } finally {
    await host.close();
  }
});
