// The daily reconciliation against the real sandbox: for a Hong Kong day's orders, the aggregator's
// totals, the gateway's (its events) and the ledger's per wallet and currency, with every
// difference listed by order; its scope, its upstream queries counted, the CSV beside the ERP
// journal read back with an RFC 4180 parser, and the schedule; on SQLite and on PostgreSQL.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCell } from '@paystream/csv-cells';
import type { Kysely, TypedEvent } from '@paystream/plugin-sdk';
import {
  lifecycle,
  type OrderAttributes,
  runId,
  type Step,
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
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAccountingPlugin,
  DAILY_COLUMNS,
  DailyReports,
  DIFFERENCE_KINDS,
  dailyRows,
  dueDay,
  hkDayBounds,
  hkDayOf,
  type LedgerSchema,
} from '../src/index.js';

let sandbox: RunningSandbox;
let upstream: UpstreamClient;
let t: TestHost;
let dir: string;
let run: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  upstream = createUpstreamClient({ baseUrl: sandbox.url, credentials: SANDBOX_DEV_CREDENTIALS });
});
afterAll(async () => {
  await upstream?.destroy();
  await sandbox?.close();
});

/** An order at the aggregator: created, then paid, refunded and canceled as asked. */
async function aggregatorOrder(
  outTradeNo: string,
  amountMinor: number,
  o: {
    currency?: 'HKD' | 'CNY';
    wallet?: OrderAttributes['wallet'];
    paid?: boolean;
    refunds?: number[];
    cancel?: boolean;
  } = {},
) {
  const currency = o.currency ?? 'HKD';
  const created = await upstream.createPayment({
    outTradeNo,
    amount: amountMinor as never,
    currency,
    wallet: o.wallet ?? 'WECHATHK',
    notifyUrl: 'http://127.0.0.1:9/notify',
  });
  expect(created.outcome).toBe('success');
  if (o.paid === false) return;
  expect((await sandboxControls(sandbox.url).pay(outTradeNo, { notify: false })).status).toBe(200);
  for (const [i, amount] of (o.refunds ?? []).entries()) {
    const r = await upstream.refundPayment({
      outTradeNo,
      refundNo: `${outTradeNo.slice(-20)}-R${i + 1}`,
      amount: amount as never,
      currency,
    });
    expect(r.outcome).toBe('success');
  }
  if (o.cancel) expect((await upstream.cancelPayment({ outTradeNo })).outcome).toBe('success');
}

/** The order's events (lifecycle.ts), each occurring at the instant given for it (the last one for the rest). */
function events(outTradeNo: string, steps: readonly Step[], at: readonly string[], o: OrderAttributes = {}) {
  return lifecycle(outTradeNo, steps, o).map(
    (e, i) => ({ ...e, data: { ...e.data, occurredAt: at[Math.min(i, at.length - 1)] } }) as TypedEvent,
  );
}

/** An instant of a Hong Kong day, `HH:MM:SS` Hong Kong time. */
const hk = (day: string, time: string) => new Date(`${day}T${time}+08:00`).toISOString();

/** The queries counted so far, by code and category. */
async function queries(): Promise<Record<string, number>> {
  const metric = await t.registry.getSingleMetric('paystream_upstream_requests_total')?.get();
  const out: Record<string, number> = {};
  for (const v of metric?.values ?? [])
    if (v.labels.operation === 'query' && v.value > 0) out[`${v.labels.code} ${v.labels.category}`] = v.value;
  return out;
}
const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);

const daily = (method: 'GET' | 'POST', day: string, apiKey?: string) =>
  t.request(method, `/plugins/accounting/reconciliation/daily?date=${day}`, apiKey ? { apiKey } : {});

const same = (paid: string, refunded = '0.00', reversed = '0.00') => {
  const f = { paid, refunded, reversed };
  return { aggregator: f, gateway: f, ledger: f };
};

describe.each(['sqlite', 'postgres'] as const)('on %s', (database) => {
  beforeAll(async () => {
    run = runId();
    dir = mkdtempSync(join(tmpdir(), 'paystream-recon-'));
    t = await startTestHost({
      plugins: [
        createAccountingPlugin({
          reconcileIntervalMs: 0,
          dailyReconciliation: false,
          reconciliationDir: dir,
        }),
      ],
      upstream,
      database,
    });
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds a clean day clean, needs ledger:reconcile to query the aggregator, and counts each query', async () => {
    const day = '2026-03-02';
    const [paid, cny, unpaid, canceled] = ['paid', 'cny', 'unpaid', 'canceled'].map((n) => `day-${run}-${n}`);
    await aggregatorOrder(paid!, 1000);
    await aggregatorOrder(cny!, 2500, { currency: 'CNY', wallet: 'ALIPAYCN', refunds: [500] });
    await aggregatorOrder(unpaid!, 700, { paid: false });
    await aggregatorOrder(canceled!, 1200, { cancel: true });
    const morning = [hk(day, '10:00:00'), hk(day, '10:05:00')];
    await t.publish([
      ...events(paid!, ['payment.created', 'payment.succeeded'], morning),
      ...events(
        cny!,
        ['payment.created', 'payment.succeeded', { refund: `${cny!.slice(-20)}-R1`, amountMinor: 500 }],
        morning,
        {
          amountMinor: 2500,
          currency: 'CNY',
          wallet: 'ALIPAYCN',
        },
      ),
      ...events(unpaid!, ['payment.created'], morning, { amountMinor: 700 }),
      ...events(canceled!, ['payment.created', 'payment.succeeded', 'payment.canceled'], morning, {
        amountMinor: 1200,
      }),
    ]);

    // A reading key starts nothing: 403, and the aggregator is not asked.
    const reader = t.apiKeyWith('ledger:read');
    expect((await daily('POST', day, reader)).status).toBe(403);
    expect((await t.request('POST', '/plugins/accounting/reconciliation', { apiKey: reader })).status).toBe(
      403,
    );
    expect(await queries()).toEqual({});
    expect((await daily('GET', day, reader)).status).toBe(404);

    const res = await daily('POST', day, t.apiKeyWith('ledger:reconcile'));
    expect(res.status).toBe(200);
    // One query per order of the day, counted like the gateway's calls.
    expect(await queries()).toEqual({ '00 success': 4 });
    expect(res.body.report).toEqual({
      date: day,
      timeZone: 'Asia/Hong_Kong',
      from: '2026-03-01T16:00:00.000Z',
      to: '2026-03-02T16:00:00.000Z',
      generatedAt: expect.any(String),
      orders: 4,
      complete: true,
      totals: [
        { wallet: 'ALIPAYCN', currency: 'CNY', orders: 1, ...same('25.00', '5.00') },
        { wallet: 'WECHATHK', currency: 'HKD', orders: 3, ...same('22.00', '0.00', '12.00') },
      ],
      differences: [],
    });
    // The stored report is what a reading key gets.
    const stored = await daily('GET', day, reader);
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(res.body);
    const metrics = await t.registry.metrics();
    for (const kind of DIFFERENCE_KINDS)
      expect(metrics).toContain(`paystream_reconciliation_differences{kind="${kind}"} 0\n`);

    // The rolling reconciliation is counted as well: one query per recent order.
    const rolling = await t.request('POST', '/plugins/accounting/reconciliation', {
      apiKey: t.apiKeyWith('ledger:reconcile'),
    });
    expect(rolling.status).toBe(200);
    expect(rolling.body.report.orders).toBe(4);
    expect(await queries()).toEqual({ '00 success': 8 });
  });

  it('lists by order what the ledger misses: a payment never booked, a refund whose event was lost', async () => {
    const day = '2026-03-03';
    const [lostRefund, unbooked] = ['lost-refund', 'unbooked'].map((n) => `day-${run}-${n}`);
    await aggregatorOrder(unbooked!, 1000);
    await aggregatorOrder(lostRefund!, 1000, { refunds: [300, 200] });
    const at = [hk(day, '00:00:00')];
    const refunds = events(
      lostRefund!,
      [
        'payment.created',
        'payment.succeeded',
        { refund: `${lostRefund!.slice(-20)}-R1`, amountMinor: 300 },
        { refund: `${lostRefund!.slice(-20)}-R2`, amountMinor: 200 },
      ],
      at,
    );
    await t.publish([
      // The payment's event never reached the ledger.
      ...events(unbooked!, ['payment.created'], at),
      // R1's event was lost; R2's says the order has 5.00 refunded.
      ...refunds.filter((e) => e.data.sequence !== 3),
    ]);
    const before = total(await queries());
    const { report } = (await daily('POST', day)).body;
    expect(total(await queries()) - before).toBe(2);
    expect(report.totals).toEqual([
      {
        wallet: 'WECHATHK',
        currency: 'HKD',
        orders: 2,
        aggregator: { paid: '20.00', refunded: '5.00', reversed: '0.00' },
        gateway: { paid: '10.00', refunded: '5.00', reversed: '0.00' },
        ledger: { paid: '10.00', refunded: '2.00', reversed: '0.00' },
      },
    ]);
    const diff = (outTradeNo: string, kind: string, expectedMinor: number, actualMinor: number) => ({
      outTradeNo,
      wallet: 'WECHATHK',
      currency: 'HKD',
      kind,
      expected: (expectedMinor / 100).toFixed(2),
      actual: (actualMinor / 100).toFixed(2),
      expectedMinor,
      actualMinor,
    });
    expect(report.differences).toEqual([
      diff(lostRefund!, 'refunded_amount', 500, 200),
      diff(lostRefund!, 'gateway_refunded_amount', 500, 200),
      diff(unbooked!, 'payment_missing', 1000, 0),
    ]);
    expect(report.complete).toBe(true);
    const metrics = await t.registry.metrics();
    expect(metrics).toContain('paystream_reconciliation_differences{kind="payment_missing"} 1\n');
    expect(metrics).toContain('paystream_reconciliation_differences{kind="refunded_amount"} 1\n');
    expect(metrics).toContain('paystream_reconciliation_differences{kind="gateway_refunded_amount"} 1\n');
    expect(metrics).toContain('paystream_reconciliation_differences{kind="amount"} 0\n');
  });

  it('shows a refund the aggregator made and the ledger lacks', async () => {
    const day = '2026-03-04';
    const order = `day-${run}-refund-unseen`;
    await aggregatorOrder(order, 1000, { refunds: [400] });
    await t.publish(events(order, ['payment.created', 'payment.succeeded'], [hk(day, '23:59:59')]));
    const { report } = (await daily('POST', day)).body;
    expect(report.totals).toEqual([
      {
        wallet: 'WECHATHK',
        currency: 'HKD',
        orders: 1,
        aggregator: { paid: '10.00', refunded: '4.00', reversed: '0.00' },
        gateway: { paid: '10.00', refunded: '0.00', reversed: '0.00' },
        ledger: { paid: '10.00', refunded: '0.00', reversed: '0.00' },
      },
    ]);
    expect(report.differences).toEqual([
      {
        outTradeNo: order,
        wallet: 'WECHATHK',
        currency: 'HKD',
        kind: 'refunded_amount',
        expected: '4.00',
        actual: '0.00',
        expectedMinor: 400,
        actualMinor: 0,
      },
    ]);
  });

  it('puts an order created at 23:59 HKT and one at 00:01 HKT on different days; a payment after midnight stays with its order', async () => {
    const [lateNight, earlyMorning] = ['late-night', 'early-morning'].map((n) => `day-${run}-${n}`);
    await aggregatorOrder(lateNight!, 1000);
    await aggregatorOrder(earlyMorning!, 3000);
    await t.publish([
      // Created 23:59 HKT on the 5th, paid 00:00:30 HKT on the 6th.
      ...events(
        lateNight!,
        ['payment.created', 'payment.succeeded'],
        ['2026-03-05T15:59:00.000Z', '2026-03-05T16:00:30.000Z'],
      ),
      // Created 00:01 HKT on the 6th.
      ...events(earlyMorning!, ['payment.created', 'payment.succeeded'], ['2026-03-05T16:01:00.000Z'], {
        amountMinor: 3000,
      }),
    ]);
    const fifth = (await daily('POST', '2026-03-05')).body.report;
    const sixth = (await daily('POST', '2026-03-06')).body.report;
    expect([fifth.orders, fifth.totals, fifth.differences]).toEqual([
      1,
      [{ wallet: 'WECHATHK', currency: 'HKD', orders: 1, ...same('10.00') }],
      [],
    ]);
    expect([sixth.from, sixth.to]).toEqual(['2026-03-05T16:00:00.000Z', '2026-03-06T16:00:00.000Z']);
    expect([sixth.orders, sixth.totals, sixth.differences]).toEqual([
      1,
      [{ wallet: 'WECHATHK', currency: 'HKD', orders: 1, ...same('30.00') }],
      [],
    ]);
  });

  it('writes the CSV beside the ERP journal: the JSON rows, RFC 4180, cells escaped against injection', async () => {
    const day = '2026-03-07';
    // Order numbers are the caller's: these would be formulas, or split a cell, if written raw.
    const [formula, comma] = [`-1-1-${run}`, `@${run},x`];
    await aggregatorOrder(formula, 1000);
    await aggregatorOrder(comma, 2500, { currency: 'CNY', wallet: 'ALIPAYCN', refunds: [100] });
    await t.publish([
      ...events(formula, ['payment.created'], [hk(day, '12:00:00')]),
      ...events(comma, ['payment.created', 'payment.succeeded'], [hk(day, '12:00:00')], {
        amountMinor: 2500,
        currency: 'CNY',
        wallet: 'ALIPAYCN',
      }),
    ]);
    const { report } = (await daily('POST', day)).body;
    expect(
      report.differences.map((d: { outTradeNo: string; kind: string }) => [d.outTradeNo, d.kind]),
    ).toEqual([
      [formula, 'payment_missing'],
      [comma, 'refunded_amount'],
    ]);
    const file = join(dir, `reconciliation-${day}.csv`);
    const text = readFileSync(file, 'utf8');
    const rows = parse(text) as string[][];
    expect(rows[0]).toEqual([...DAILY_COLUMNS]);
    expect(rows.slice(1).map((r) => r.map(readCell))).toEqual(dailyRows(report));
    // Two totals (ALIPAYCN/CNY, WECHATHK/HKD) and two differences, one physical line each.
    expect(rows).toHaveLength(5);
    expect(text.split('\r\n')).toHaveLength(6);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['total', 'ALIPAYCN', 'CNY'],
      ['total', 'WECHATHK', 'HKD'],
      ['difference', 'WECHATHK', 'HKD'],
      ['difference', 'ALIPAYCN', 'CNY'],
    ]);
    expect(text).toContain(`"'-1-1-${run}"`);
    expect(text).toContain(`"'@${run}%2Cx"`);
    // A later run replaces the day's file.
    await daily('POST', day);
    expect(parse(readFileSync(file, 'utf8'))).toEqual(rows);
  });

  it('lists an order the aggregator could not answer for, and the report says it is incomplete', async () => {
    const day = '2026-03-08';
    const order = `day-${run}-no-answer`;
    await aggregatorOrder(order, 1000);
    await t.publish(events(order, ['payment.created', 'payment.succeeded'], [hk(day, '09:00:00')]));
    await sandboxControls(sandbox.url).fault({ code: '-1', operation: 'query', times: 1 });
    const before = await queries();
    const first = (await daily('POST', day)).body.report;
    expect((await queries())['-1 system']).toBe((before['-1 system'] ?? 0) + 1);
    expect(first.complete).toBe(false);
    expect(first.totals[0].aggregator).toEqual({ paid: '0.00', refunded: '0.00', reversed: '0.00' });
    expect(first.differences).toEqual([
      {
        outTradeNo: order,
        wallet: 'WECHATHK',
        currency: 'HKD',
        kind: 'unavailable',
        expected: null,
        actual: '10.00',
        expectedMinor: null,
        actualMinor: 1000,
      },
    ]);
    const again = (await daily('POST', day)).body.report;
    expect([again.complete, again.differences]).toEqual([true, []]);
  });

  it('refuses a date that is not a Hong Kong day that has begun, naming it', async () => {
    for (const date of ['', '2026-02-30', '2026-3-1', '2999-01-01']) {
      const res = await daily('GET', date);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'date', message: expect.stringContaining('YYYY-MM-DD') }]);
    }
    expect((await daily('POST', '2999-01-01')).status).toBe(400);
  });

  it('claims a day for one scheduled run among hosts sharing the database, and takes over a stale claim', async () => {
    const db = t.database.db as Kysely<LedgerSchema>;
    const [a, b] = [new DailyReports(db), new DailyReports(db)];
    const day = '2026-01-10';
    const { to } = hkDayBounds(day);
    const now = new Date('2026-01-11T00:00:00.000Z');
    expect(await a.claim(day, to, now, 3_600_000)).toBe(true);
    expect(await b.claim(day, to, now, 3_600_000)).toBe(false);
    // The claimer died: an hour later another host takes the day.
    const later = new Date(now.getTime() + 3_600_001);
    expect(await b.claim(day, to, later, 3_600_000)).toBe(true);
    expect(await a.claim(day, to, later, 3_600_000)).toBe(false);
    // A failed run gives it back.
    await b.release(day);
    expect(await a.claim(day, to, later, 3_600_000)).toBe(true);
  });

  it('runs the previous Hong Kong day once on its own, when the schedule is on', async () => {
    const own = mkdtempSync(join(tmpdir(), 'paystream-recon-schedule-'));
    const host = await startTestHost({
      plugins: [
        createAccountingPlugin({
          reconcileIntervalMs: 0,
          dailyReconciliationCheckMs: 20,
          reconciliationDir: own,
        }),
      ],
      upstream,
      database,
    });
    try {
      const day = dueDay(new Date());
      const stored = await waitFor('the scheduled daily run', async () => {
        const res = await host.request('GET', `/plugins/accounting/reconciliation/daily?date=${day}`);
        return res.status === 200 ? res.body.report : undefined;
      });
      expect([stored.date, stored.orders, stored.complete, stored.differences]).toEqual([day, 0, true, []]);
      expect(existsSync(join(own, `reconciliation-${day}.csv`))).toBe(true);
      // Checks keep coming every 20 ms; the day is not run again.
      await new Promise((r) => setTimeout(r, 300));
      const again = await host.request('GET', `/plugins/accounting/reconciliation/daily?date=${day}`);
      expect(again.body.report.generatedAt).toBe(stored.generatedAt);
      // Another host sharing the database reconciles a later day: this host's gauge shows it.
      const today = hkDayOf(new Date());
      await new DailyReports(host.database.db as Kysely<LedgerSchema>).save({
        day: today,
        ...hkDayBounds(today),
        generatedAt: new Date().toISOString(),
        orders: 1,
        complete: true,
        totals: [],
        differences: [
          {
            outTradeNo: 'elsewhere',
            wallet: 'WECHATHK',
            currency: 'HKD',
            kind: 'payment_missing',
            expectedMinor: 1000,
            actualMinor: 0,
          },
        ],
      });
      await waitFor("the gauge to show the other host's report", async () =>
        (await host.registry.metrics()).includes(
          'paystream_reconciliation_differences{kind="payment_missing"} 1\n',
        ),
      );
    } finally {
      await host.close();
      rmSync(own, { recursive: true, force: true });
    }
  });
});
