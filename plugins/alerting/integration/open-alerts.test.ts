// Alerting that cannot go blind, against a real Alertmanager: an alert that fired while only the
// log channel existed reaches Alertmanager once a restart configures it; a payment after close
// pages as critical naming the order, its wallet and amount; a 64 on a cancel is not folded into
// the refunds' alert; every series of paystream_alerts_fired_total exists at 0 from start-up. An
// open alert's next occurrence queues it for a channel that has not had it.

import type { Kysely } from '@paystream/plugin-sdk';
import {
  type Alertmanager,
  makeEvents,
  runId,
  startAlertmanager,
  startTestHost,
  type TestHost,
  waitFor,
} from '@paystream/plugin-testing';
import { afterEach, expect, it } from 'vitest';
import { createAlertingPlugin, loadRulesFile, parseRules } from '../src/index.js';
import type { AlertingOptions } from '../src/options.js';
import { DEFAULT_RULES_FILE } from '../src/rules/load.js';
import { observe } from '../src/rules/match.js';
import { recordObservation } from '../src/store/alerts.js';
import { DELIVERIES } from '../src/store/migrations.js';
import { fastOptions, shippedRules } from './fixtures.js';

let t: TestHost | undefined;
let am: Alertmanager | undefined;
afterEach(async () => {
  await t?.close();
  await am?.close();
  t = undefined;
  am = undefined;
});

interface Listed {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  deliveries: { channel: string; delivered: boolean }[];
}
const listed = async (host: TestHost): Promise<Listed[]> =>
  (await host.request('GET', '/plugins/alerting/alerts')).body.alerts;

it('delivers an alert that fired before Alertmanager was configured, once a restart configures it', async () => {
  am = await startAlertmanager();
  // The options the restarted process reads: the same object, given ALERTMANAGER_URL's value.
  const options: Partial<AlertingOptions> = fastOptions({ rules: shippedRules('10m'), log: true });
  t = await startTestHost({ plugins: [createAlertingPlugin(options)] });
  const [rate] = makeEvents({
    prefix: runId(),
    type: 'payment.failed',
    data: { code: '80', category: 'alipay_upstream', wallet: 'ALIPAYHK', operation: 'create' },
  });
  await t.publish([rate!]);
  await waitFor('the log channel to have it', async () => (await listed(t!))[0]?.deliveries[0]?.delivered);
  expect((await listed(t))[0]!.deliveries).toEqual([
    expect.objectContaining({ channel: 'log', delivered: true }),
  ]);
  expect(await am.alerts()).toEqual([]);

  options.alertmanagerUrl = am.url;
  await t.replay(); // a restart; no new event arrives
  const [alert] = await am.waitForAlert('AlipayRateUnavailable', 20_000);
  expect(alert!.labels).toMatchObject({
    severity: 'warning',
    code: '80',
    wallet: 'ALIPAYHK',
    operation: 'create',
  });
  expect(alert!.annotations.outTradeNo).toBe(rate!.data.outTradeNo);
  await waitFor('both channels to show it delivered', async () =>
    (await listed(t!))[0]?.deliveries.every((d) => d.delivered),
  );
  expect((await listed(t))[0]!.deliveries.map((d) => [d.channel, d.delivered]).sort()).toEqual([
    ['alertmanager', true],
    ['log', true],
  ]);
  expect(await t.registry.metrics()).toContain(
    'paystream_alerts_fired_total{alertname="AlipayRateUnavailable",severity="warning",channel="alertmanager"} 1',
  );
}, 60_000);

it('pages a payment after close per order; keeps a 64 on a cancel apart from the refunds; every series starts at 0', async () => {
  am = await startAlertmanager();
  t = await startTestHost({ plugins: [createAlertingPlugin(fastOptions({ alertmanagerUrl: am.url }))] });
  const before = await t.registry.metrics();
  for (const rule of loadRulesFile(DEFAULT_RULES_FILE))
    expect(before).toContain(
      `paystream_alerts_fired_total{alertname="${rule.name}",severity="${rule.severity}",channel="alertmanager"} 0\n`,
    );

  const prefix = runId();
  const late = (order: string, amountMinor: number) =>
    makeEvents({
      prefix: `${prefix}-${order}`,
      type: 'payment.paid_after_close',
      data: {
        outTradeNo: order,
        code: '00',
        category: 'success',
        operation: 'notify',
        wallet: 'ALIPAYHK',
        amountMinor,
      },
    });
  await t.publish([...late(`${prefix}-A2-642`, 2500), ...late(`${prefix}-B`, 1999)]);
  const refused = makeEvents({
    prefix: `${prefix}-r`,
    type: 'refund.failed',
    data: { code: '64', category: 'balance', wallet: 'WECHATHK', operation: 'refund' },
  });
  const cancel = makeEvents({
    prefix: `${prefix}-c`,
    type: 'payment.cancel_failed',
    data: { code: '64', category: 'balance', wallet: 'WECHATHK', operation: 'cancel' },
  });
  await t.publish(refused);
  await t.publish(cancel);

  await waitFor(
    'both late payments in Alertmanager',
    async () => (await am!.alerts({ alertname: 'PaymentAfterClose' })).length === 2,
  );
  const pages = (await am.alerts({ alertname: 'PaymentAfterClose' })).sort((a, b) =>
    a.labels.outTradeNo! < b.labels.outTradeNo! ? -1 : 1,
  );
  expect(pages.map((a) => a.labels)).toEqual([
    {
      alertname: 'PaymentAfterClose',
      severity: 'critical',
      code: '00',
      category: 'success',
      wallet: 'ALIPAYHK',
      operation: 'notify',
      outTradeNo: `${prefix}-A2-642`,
      service: 'paystream',
    },
    expect.objectContaining({ outTradeNo: `${prefix}-B`, severity: 'critical' }),
  ]);
  expect(pages[0]!.annotations).toMatchObject({
    outTradeNo: `${prefix}-A2-642`,
    wallet: 'ALIPAYHK',
    amount: '25.00 HKD',
    summary: `A payment arrived after order ${prefix}-A2-642 was closed or canceled: 25.00 HKD on ALIPAYHK`,
  });
  expect(pages[1]!.annotations.amount).toBe('19.99 HKD');

  await waitFor(
    'the two 64 alerts in Alertmanager',
    async () => (await am!.alerts({ alertname: 'BalanceInsufficient' })).length === 2,
  );
  const blocked = await am.alerts({ alertname: 'BalanceInsufficient' });
  const byOperation = Object.fromEntries(blocked.map((a) => [a.labels.operation, a.annotations]));
  expect(byOperation.refund).toMatchObject({
    outTradeNo: refused[0]!.data.outTradeNo,
    refundNo: refused[0]!.data.refundNo,
  });
  expect(byOperation.cancel).toMatchObject({ outTradeNo: cancel[0]!.data.outTradeNo });
  expect(byOperation.cancel).not.toHaveProperty('refundNo');
  expect(byOperation.cancel).not.toHaveProperty('lastRefundNo');

  const after = await t.registry.metrics();
  expect(after).toContain(
    'paystream_alerts_fired_total{alertname="PaymentAfterClose",severity="critical",channel="alertmanager"} 2',
  );
  expect(after).toContain(
    'paystream_alerts_fired_total{alertname="CredentialsRejected",severity="critical",channel="alertmanager"} 0',
  );
}, 60_000);

it('queues an open alert for a channel that has not had it on its next occurrence, leaving the others be', async () => {
  t = await startTestHost({ plugins: [createAlertingPlugin(fastOptions({ log: true }))] });
  const db = t.database.db as Kysely<unknown>;
  const deliveries = db as unknown as Kysely<{
    alerting_deliveries: { channel: string; sent_version: number; attempts: number; next_attempt_at: number };
  }>;
  const rules = parseRules(shippedRules('10m'));
  const [first, second] = makeEvents({
    prefix: runId(),
    keys: 2,
    type: 'payment.failed',
    data: { code: '80', category: 'alipay_upstream', wallet: 'ALIPAYHK', operation: 'create' },
  }).map((e) => observe(e)!);
  const at = Date.now();
  expect(await recordObservation(db, false, rules, first!, ['log'], at)).toEqual([
    expect.objectContaining({ change: 'fired' }),
  ]);
  await deliveries.updateTable(DELIVERIES).set({ sent_version: 1, attempts: 3 }).execute();
  expect(await recordObservation(db, false, rules, second!, ['log', 'webhook'], at + 1)).toEqual([
    expect.objectContaining({ change: 'repeated' }),
  ]);
  const rows = await deliveries
    .selectFrom(DELIVERIES)
    .select(['channel', 'sent_version', 'attempts', 'next_attempt_at'])
    .orderBy('channel')
    .execute();
  expect(
    rows.map((r) => ({ ...r, sent_version: Number(r.sent_version), attempts: Number(r.attempts) })),
  ).toEqual([
    { channel: 'log', sent_version: 1, attempts: 3, next_attempt_at: expect.anything() },
    { channel: 'webhook', sent_version: 0, attempts: 0, next_attempt_at: expect.anything() },
  ]);
  expect(Number(rows[1]!.next_attempt_at)).toBe(at + 1);
});
