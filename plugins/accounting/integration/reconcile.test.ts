// Reconciliation against the aggregator's `query` (the sandbox): agreeing orders pass, each kind of
// disagreement is reported with both sides, the gauge counts the last run, and the schedule runs it.
import { orderEvents, runId, startTestHost, type TestHost, waitFor } from '@paystream/plugin-host/testing';
import { createUpstreamClient, type UpstreamClient } from '@paystream/upstream-client';
import {
  type RunningSandbox,
  SANDBOX_DEV_CREDENTIALS,
  sandboxControls,
  startSandbox,
} from '@paystream/upstream-sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccountingPlugin } from '../src/index.js';

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
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 200 })],
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
