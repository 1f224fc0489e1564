// Alerting against a real Alertmanager, on both transports: a refund answered 64 is one critical
// alert however often it repeats, 80 on create is a warning, quiet alerts resolve, and an
// Alertmanager outage delays an alert without losing it or stalling the stream.
import {
  type Alertmanager,
  makeEvents,
  runId,
  startAlertmanager,
  startTestHost,
  type TestHost,
  waitFor,
} from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';
import { fastAlerting, shippedRules } from './fixtures.js';

let t: TestHost | undefined;
let am: Alertmanager | undefined;
afterEach(async () => {
  await t?.close();
  await am?.close();
  t = undefined;
  am = undefined;
});

const refused64 = (prefix: string, keys = 1) =>
  makeEvents({
    prefix,
    keys,
    type: 'refund.failed',
    data: { code: '64', category: 'balance', wallet: 'WECHATHK', operation: 'refund' },
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(['embedded', 'kafka'] as const)('alerting to Alertmanager on %s', (transport) => {
  it('raises one critical alert for a burst of 64s, a warning for 80 on create, and resolves when quiet', async () => {
    am = await startAlertmanager();
    t = await startTestHost({
      plugins: [fastAlerting({ alertmanagerUrl: am.url, runbookBaseUrl: 'https://docs.example/paystream/' })],
      transport,
    });
    const [first] = refused64(runId());
    await t.publish([first!]);
    const [alert] = await am.waitForAlert('BalanceInsufficient');
    expect(alert!.labels).toMatchObject({
      alertname: 'BalanceInsufficient',
      severity: 'critical',
      code: '64',
      category: 'balance',
      wallet: 'WECHATHK',
    });
    expect(alert!.annotations).toMatchObject({
      outTradeNo: first!.data.outTradeNo,
      refundNo: first!.data.refundNo,
      refundAmount: `${(first!.data.refundAmountMinor / 100).toFixed(2)} HKD`,
      // The code's page (docs/runbooks/64.md), where the deployment publishes the docs.
      runbook_url: 'https://docs.example/paystream/docs/runbooks/64.md',
    });

    // Ten more within the group window: still one alert, now counting eleven occurrences.
    await t.publish(refused64(runId(), 10));
    await waitFor('the re-sent alert to count 11', async () => {
      const a = await am!.alerts({ alertname: 'BalanceInsufficient' });
      return a.length === 1 && a[0]!.annotations.occurrences === '11';
    });
    expect(await am.alerts({ alertname: 'BalanceInsufficient' })).toHaveLength(1);

    // 80 on create is a warning; 80 from another operation is not this rule's business.
    const rate = makeEvents({
      prefix: runId(),
      type: 'payment.failed',
      data: { code: '80', category: 'alipay_upstream', wallet: 'ALIPAYHK', operation: 'create' },
    });
    const queried80 = makeEvents({
      prefix: runId(),
      type: 'payment.query_failed',
      data: { code: '80', category: 'alipay_upstream', wallet: 'ALIPAYCN', operation: 'query' },
    });
    await t.publish([...rate, ...queried80]);
    const [warning] = await am.waitForAlert('AlipayRateUnavailable');
    expect(warning!.labels).toMatchObject({ severity: 'warning', code: '80', wallet: 'ALIPAYHK' });
    expect(await am.alerts({ alertname: 'AlipayRateUnavailable' })).toHaveLength(1);

    const metrics = await t.registry.metrics();
    expect(metrics).toContain(
      'paystream_alerts_fired_total{alertname="BalanceInsufficient",severity="critical",channel="alertmanager"} 1',
    );
    expect(metrics).toContain(
      'paystream_alerts_fired_total{alertname="AlipayRateUnavailable",severity="warning",channel="alertmanager"} 1',
    );

    // Quiet for the rules' 3 s: both resolve, in Alertmanager too (endsAt now: no longer active).
    await waitFor('the alerts to resolve in Alertmanager', async () => (await am!.alerts()).length === 0, {
      timeoutMs: 30_000,
    });
    const listed = await t.request('GET', '/plugins/alerting/alerts');
    expect(listed.status).toBe(200);
    expect(listed.body.alerts.map((a: { status: string }) => a.status)).toEqual(['resolved', 'resolved']);
  }, 90_000);

  // The 30 s outage runs on the embedded bus; on Kafka a shorter one shows the same path.
  const outageMs = transport === 'embedded' ? 30_000 : 5_000;
  it(`delivers an alert raised while Alertmanager is down (${outageMs / 1000} s) once it is back, without stalling the stream`, async () => {
    am = await startAlertmanager();
    // A quiet period longer than the outage: the alert is still firing when Alertmanager is back.
    const alerting = fastAlerting({ alertmanagerUrl: am.url, rules: shippedRules('10m') });
    t = await startTestHost({ plugins: [alerting], transport });
    await am.stop();
    const downSince = Date.now();
    const burst = refused64(runId(), 3);
    await t.publish(burst); // resolves only when the plugin has no lag: handling does not wait for the pager
    await waitFor('a failed delivery attempt', async () => {
      const { body } = await t!.request('GET', '/plugins/alerting/alerts');
      return body.alerts[0]?.deliveries[0]?.attempts > 0;
    });
    // More traffic during the outage is still handled at once.
    await t.publish(makeEvents({ prefix: runId(), keys: 20 }));
    expect((await t.host.status()).find((s) => s.id === 'alerting')?.lag).toBe(0);
    const { body } = await t.request('GET', '/plugins/alerting/alerts');
    expect(body.alerts).toHaveLength(1);
    expect(body.alerts[0].deliveries[0]).toMatchObject({ channel: 'alertmanager', delivered: false });
    expect(body.alerts[0].deliveries[0].lastError).toMatch(/fetch failed|ECONNREFUSED/);

    await sleep(Math.max(0, outageMs - (Date.now() - downSince)));
    await am.start();
    const [alert] = await am.waitForAlert('BalanceInsufficient');
    // Orders of a burst may be handled in any order (partitions): the first one handled raised it.
    expect(burst.map((e) => e.data.outTradeNo)).toContain(alert!.annotations.outTradeNo);
    expect(alert!.annotations.occurrences).toBe('3');
    expect(await t.registry.metrics()).toContain(
      'paystream_alerts_fired_total{alertname="BalanceInsufficient",severity="critical",channel="alertmanager"} 1',
    );
  }, 120_000);
});
