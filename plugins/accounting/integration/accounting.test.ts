// The ledger end to end on the host, on the embedded default (SQLite) and on Kafka with PostgreSQL:
// an order paid then partly refunded is two balanced entries, a full redelivery changes nothing,
// and a plugin that fails on every event neither slows the ledger nor loses its events.

import { CURRENCIES, definePlugin, type Kysely, LEDGER_ENTRIES_TOPIC } from '@paystream/plugin-sdk';
import { lifecycle, orderEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAccountingPlugin,
  DIFFERENCE_KINDS,
  Ledger,
  type LedgerSchema,
  MISMATCH_KINDS,
} from '../src/index.js';

const setups = [
  { transport: 'embedded', database: 'sqlite' },
  { transport: 'kafka', database: 'postgres' },
] as const;

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe.each(setups)('accounting on $transport with $database', ({ transport, database }) => {
  it('books a paid, partly refunded order as two balanced entries; a full redelivery changes nothing', async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
      transport,
      database,
    });
    const order = `ord-${runId()}`;
    await t.publish(orderEvents(order, { refundMinor: 300 }));

    const journal = await t.request('GET', `/plugins/accounting/journal?outTradeNo=${order}`, {
      apiKey: t.apiKeyWith('ledger:read'),
    });
    expect(journal.status).toBe(200);
    expect(journal.body.entries).toHaveLength(2);
    expect(journal.body.entries.map((e: { postings: unknown }) => e.postings)).toEqual([
      [
        { account: 'assets:clearing:WECHATHK', side: 'debit', amount: '10.00', currency: 'HKD' },
        { account: 'income:sales', side: 'credit', amount: '10.00', currency: 'HKD' },
      ],
      [
        { account: 'income:refunds', side: 'debit', amount: '3.00', currency: 'HKD' },
        { account: 'assets:clearing:WECHATHK', side: 'credit', amount: '3.00', currency: 'HKD' },
      ],
    ]);
    const trial = await t.request('GET', '/plugins/accounting/trial-balance');
    expect(trial.body).toEqual([{ currency: 'HKD', debit: '13.00', credit: '13.00' }]);
    const clearing = await t.request('GET', '/plugins/accounting/accounts/assets:clearing:WECHATHK');
    expect(clearing.body).toEqual({
      account: 'assets:clearing:WECHATHK',
      balances: [{ currency: 'HKD', debit: '10.00', credit: '3.00', balance: '7.00' }],
    });
    expect(await t.registry.metrics()).toMatch(/paystream_ledger_entries_total\{currency="HKD"\} 2/);
    if (transport === 'embedded') {
      const posted = await t.published(LEDGER_ENTRIES_TOPIC);
      expect(posted.map((e) => [e.type, e.subject, e.id])).toEqual(
        journal.body.entries.map((e: { id: string }) => ['ledger.entry.posted', order, e.id]),
      );
    }

    await t.replay();
    await t.settle();
    const again = await t.request('GET', `/plugins/accounting/journal?outTradeNo=${order}`);
    expect(again.body).toEqual(journal.body);
    expect((await t.request('GET', '/plugins/accounting/trial-balance')).body).toEqual(trial.body);
  });

  it('names accounts after the authenticated caller, books a cancel of a paid order as a reversal and a payment after close as owed back', async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
      transport,
      database,
    });
    const run = runId();
    const [sold, reversed, unpaid, late] = ['sold', 'reversed', 'unpaid', 'late'].map(
      (n) => `acc-${run}-${n}`,
    );
    // svc-a created every order; the metadata claims svc-b, which must name nothing.
    const who = { caller: 'svc-a', metadata: { caller: 'svc-b' } };
    await t.publish([
      ...lifecycle(sold!, ['payment.created', 'payment.succeeded'], who),
      ...lifecycle(
        reversed!,
        [
          'payment.created',
          'payment.succeeded',
          { refund: 'R1', amountMinor: 300 },
          { refund: 'R2', amountMinor: 100, declined: true },
          'payment.cancel_failed',
          'payment.canceled',
        ],
        who,
      ),
      ...lifecycle(unpaid!, ['payment.created', 'payment.canceled'], who),
      ...lifecycle(late!, ['payment.created', 'payment.closed', 'payment.paid_after_close'], {
        ...who,
        amountMinor: 2500,
        wallet: 'ALIPAYHK',
      }),
    ]);
    const journal = async (o: string) =>
      (await t!.request('GET', `/plugins/accounting/journal?outTradeNo=${o}`)).body.entries.map(
        (e: { eventType: string; postings: unknown }) => [e.eventType, e.postings],
      );
    const line = (account: string, side: string, amount: string) => ({
      account,
      side,
      amount,
      currency: 'HKD',
    });
    expect(await journal(sold!)).toEqual([
      [
        'payment.succeeded',
        [line('assets:clearing:WECHATHK', 'debit', '10.00'), line('income:sales:svc-a', 'credit', '10.00')],
      ],
    ]);
    expect(await journal(reversed!)).toEqual([
      [
        'payment.succeeded',
        [line('assets:clearing:WECHATHK', 'debit', '10.00'), line('income:sales:svc-a', 'credit', '10.00')],
      ],
      [
        'refund.succeeded',
        [line('income:refunds:svc-a', 'debit', '3.00'), line('assets:clearing:WECHATHK', 'credit', '3.00')],
      ],
      // What the refund left, not the order's amount: the order's net is zero.
      [
        'payment.canceled',
        [line('income:reversals:svc-a', 'debit', '7.00'), line('assets:clearing:WECHATHK', 'credit', '7.00')],
      ],
    ]);
    expect(await journal(unpaid!)).toEqual([]);
    expect(await journal(late!)).toEqual([
      [
        'payment.paid_after_close',
        [
          line('assets:clearing:ALIPAYHK', 'debit', '25.00'),
          line('liabilities:late-payments', 'credit', '25.00'),
        ],
      ],
    ]);
    const balance = async (account: string) =>
      (await t!.request('GET', `/plugins/accounting/accounts/${account}`)).body.balances;
    expect(await balance('assets:clearing:WECHATHK')).toEqual([
      { currency: 'HKD', debit: '20.00', credit: '10.00', balance: '10.00' },
    ]);
    expect(await balance('liabilities:late-payments')).toEqual([
      { currency: 'HKD', debit: '0.00', credit: '25.00', balance: '-25.00' },
    ]);
    expect((await t.request('GET', '/plugins/accounting/accounts/income:sales:svc-b')).status).toBe(404);
    expect((await t.request('GET', '/plugins/accounting/trial-balance')).body).toEqual([
      { currency: 'HKD', debit: '55.00', credit: '55.00' },
    ]);
    expect(await t.registry.metrics()).toMatch(/paystream_ledger_entries_total\{currency="HKD"\} 5\n/);
    expect(await t.deadLetters('accounting')).toEqual([]);

    // Every event again: the cancel that found nothing to reverse still books nothing.
    await t.replay();
    await t.settle();
    expect(await journal(unpaid!)).toEqual([]);
    expect((await t.request('GET', '/plugins/accounting/trial-balance')).body).toEqual([
      { currency: 'HKD', debit: '55.00', credit: '55.00' },
    ]);
  });

  it('books a burst of orders in batches: one entry per payment, balances = postings; a redelivery books nothing twice', async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
      transport,
      database,
    });
    const prefix = runId();
    const orders = 150;
    const events = Array.from({ length: orders }, (_, i) =>
      orderEvents(`${prefix}-${i}`, { amountMinor: 100 + i }),
    ).flat();
    await t.publish(events);
    const ledger = new Ledger(t.database.db as Kysely<LedgerSchema>);
    const paid = orders * 100 + (orders * (orders - 1)) / 2;
    const expectBooked = async () => {
      expect(await ledger.trialBalance()).toEqual([{ currency: 'HKD', debitMinor: paid, creditMinor: paid }]);
      expect(await ledger.balances()).toEqual(await ledger.totalsFromPostings());
      expect(await ledger.recentOrders(1000)).toHaveLength(orders);
      for (const i of [0, 77, orders - 1]) {
        const journal = await ledger.journal(`${prefix}-${i}`);
        expect(journal.map((e) => [e.eventType, e.postings[0]!.amountMinor])).toEqual([
          ['payment.succeeded', 100 + i],
        ]);
      }
    };
    await expectBooked();
    const metrics = await t.registry.metrics();
    expect(metrics).toMatch(new RegExp(`paystream_ledger_entries_total\\{currency="HKD"\\} ${orders}\n`));
    // Every event went through handleBatch: no batch had to fall back to one by one.
    expect(metrics).not.toMatch(/paystream_plugin_batch_fallbacks_total\{/);

    await t.replay();
    await t.settle();
    await expectBooked();
    expect(await t.registry.metrics()).toMatch(
      new RegExp(`paystream_ledger_entries_total\\{currency="HKD"\\} ${orders}\n`),
    );
    expect(await t.deadLetters('accounting')).toEqual([]);
  });

  it('dead-letters the one payment it cannot book and books the rest of its batch', async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
      transport,
      database,
    });
    const prefix = runId();
    // A payment of 0 has no balanced entry (ledger.entry.posted refuses it): it can never be booked.
    const events = Array.from({ length: 30 }, (_, i) =>
      orderEvents(`${prefix}-${i}`, { amountMinor: i === 15 ? 0 : 1000 }),
    ).flat();
    const poison = events[31]!;
    expect(poison).toMatchObject({ type: 'payment.succeeded', subject: `${prefix}-15` });
    await t.publish(events);
    const dead = await t.deadLetters('accounting');
    expect(dead.map((d) => d.eventId)).toEqual([poison.id]);
    expect(dead[0]).toMatchObject({ reason: 'handler', attempts: 5 });
    const ledger = new Ledger(t.database.db as Kysely<LedgerSchema>);
    expect(await ledger.trialBalance()).toEqual([
      { currency: 'HKD', debitMinor: 29_000, creditMinor: 29_000 },
    ]);
    expect(await ledger.balances()).toEqual(await ledger.totalsFromPostings());
    expect(await ledger.journal(`${prefix}-15`)).toEqual([]);
    expect(await ledger.journal(`${prefix}-16`)).toHaveLength(1);
    expect(await ledger.recentOrders(1000)).toHaveLength(30);
  });

  it("dead-letters a failing plugin's events while the ledger keeps pace; the redrive command brings them back", async () => {
    let broken = true;
    const handled: string[] = [];
    const flaky = definePlugin({
      id: 'flaky',
      subscribes: { types: ['payment.created', 'payment.succeeded', 'refund.succeeded'] },
      delivery: { maxAttempts: 2 },
      async handle(event) {
        if (broken) throw new Error('flaky is broken');
        handled.push(event.id);
      },
    });
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false }), flaky()],
      transport,
      database,
    });
    const order = `ord-${runId()}`;
    const events = orderEvents(order, { refundMinor: 300 });
    await t.publish(events);
    const journal = await t.request('GET', `/plugins/accounting/journal?outTradeNo=${order}`);
    expect(journal.body.entries).toHaveLength(2);
    expect((await t.deadLetters('flaky')).map((d) => d.eventId)).toEqual(events.map((e) => e.id));
    expect(await t.deadLetters('accounting')).toEqual([]);

    broken = false;
    const redriven = await t.cli(['redrive', 'flaky'], { apiKey: t.apiKeyWith('plugins:admin') });
    expect(redriven.code).toBe(0);
    expect(JSON.parse(redriven.lines.join('\n'))).toEqual({ attempted: 3, redriven: 3, failed: 0 });
    expect(handled).toEqual(events.map((e) => e.id));
    expect(await t.deadLetters('flaky')).toEqual([]);
    expect((await t.cli(['redrive', 'flaky'], { apiKey: t.apiKeyWith('ledger:read') })).code).toBe(1);
  });
});

describe('accounting routes', () => {
  it('need the ledger:read scope and name a bad field', async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
    });
    expect((await t.request('GET', '/plugins/accounting/trial-balance', { apiKey: null })).status).toBe(401);
    expect(
      (await t.request('GET', '/plugins/accounting/trial-balance', { apiKey: t.apiKeyWith('payments:read') }))
        .status,
    ).toBe(403);
    const bad = await t.request('GET', '/plugins/accounting/journal');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'outTradeNo', message: expect.stringContaining('is required') },
    ]);
    expect((await t.request('GET', '/plugins/accounting/accounts/assets:nothing')).status).toBe(404);
    expect((await t.request('GET', '/plugins/accounting/trial-balance')).body).toEqual([]);
  });

  it('exposes every series at 0 from start-up, so the first entry, mismatch or difference is an increase', async () => {
    t = await startTestHost({
      plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
    });
    const metrics = await t.registry.metrics();
    for (const currency of CURRENCIES)
      expect(metrics).toContain(`paystream_ledger_entries_total{currency="${currency}"} 0\n`);
    for (const kind of MISMATCH_KINDS)
      expect(metrics).toContain(`paystream_ledger_reconciliation_mismatches{kind="${kind}"} 0\n`);
    for (const kind of DIFFERENCE_KINDS)
      expect(metrics).toContain(`paystream_reconciliation_differences{kind="${kind}"} 0\n`);
    // The aggregator query codes that page, before any reconciliation asked anything.
    expect(metrics).toContain(
      'paystream_upstream_requests_total{operation="query",code="-12",category="authentication"} 0\n',
    );
    await t.publish(orderEvents(`ord-${runId()}`, { amountMinor: 700 }));
    const after = await t.registry.metrics();
    expect(after).toContain('paystream_ledger_entries_total{currency="HKD"} 1\n');
    expect(after).toContain('paystream_ledger_entries_total{currency="CNY"} 0\n');
  });

  it('refuses bad options naming the option', async () => {
    await expect(
      startTestHost({ plugins: [createAccountingPlugin({ reconcileIntervalMs: -5 })] }),
    ).rejects.toThrow(/plugin accounting: invalid options: reconcileIntervalMs/);
  });
});
