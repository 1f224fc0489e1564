// Through the gateway, on the embedded default and on Kafka with PostgreSQL: a refund answered 64
// raises one critical alert in a real Alertmanager (ten more 64s still one), 80 on create a
// warning; an order paid and partly refunded reaches the ERP webhook once per ledger entry, signed,
// after the ERP failed the first two attempts, and the day's CSV holds the same balanced postings.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaTestBrokers, runId, waitFor } from '@paystream/bus/testing';
import { loadConfig } from '@paystream/config';
import { createTestDatabase, type TestDatabase } from '@paystream/db/testing';
import { startTestErp, type TestErp } from '@paystream/erp-webhook/testing';
import { type Alertmanager, startAlertmanager } from '@paystream/plugin-testing';
import { sandboxControls } from '@paystream/upstream-sandbox';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type AllInOne, startAllInOne } from '../src/start.js';
import { gatewayCaller } from './fixtures/call.js';

const SECRET_BYTES = Buffer.from('allinone-erp-secret-0123456789ab');

describe.each([
  { name: 'embedded bus, SQLite', kafka: false },
  { name: 'Kafka, PostgreSQL', kafka: true },
] as const)('alerts and ERP connectors through the gateway ($name)', ({ kafka }) => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-alerts-erp-'));
  let testDb: TestDatabase | undefined;
  let platform: AllInOne | undefined;
  let am: Alertmanager | undefined;
  let erp: TestErp | undefined;
  afterAll(async () => {
    await platform?.close();
    await am?.close();
    await erp?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages once on 64, warns on 80, and journals the order to the ERP webhook and CSV', async () => {
    am = await startAlertmanager();
    erp = await startTestErp({ secretBytes: SECRET_BYTES, answer: (n) => ({ status: n <= 2 ? 503 : 200 }) });
    testDb = kafka ? await createTestDatabase('postgres') : undefined;
    const env = {
      PORT: '0',
      SANDBOX_PORT: '0',
      DATABASE_URL: testDb?.url ?? `sqlite:${join(dir, 'db.sqlite')}`,
      EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
      OUTBOX_POLL_INTERVAL_MS: '20',
      ALERTMANAGER_URL: am.url,
      ERP_WEBHOOK_URL: erp.url,
      ERP_WEBHOOK_SECRET: erp.secret,
      ERP_CSV_DIR: join(dir, 'erp'),
      ...(kafka ? { KAFKA_BROKERS: kafkaTestBrokers().join(','), KAFKA_TOPIC_PARTITIONS: '3' } : {}),
    };
    platform = await startAllInOne(loadConfig(env), pino({ level: 'silent' }), env);
    const sandbox = sandboxControls(platform.sandbox!.url);
    const call = gatewayCaller(() => platform);

    const order = `ae-${runId()}`;
    const create = { outTradeNo: order, amount: '80.00', currency: 'HKD', wallet: 'WECHATHK' };
    expect((await call('POST', '/v1/payments', create)).status).toBe(201);
    expect((await sandbox.pay(order)).status).toBe(200);
    await waitFor('paid', async () => (await call('GET', `/v1/payments/${order}`)).body.status === 'paid');
    expect(
      (await call('POST', `/v1/payments/${order}/refunds`, { refundNo: `${order}-r1`, amount: '2.34' }))
        .status,
    ).toBe(201);

    // A refund answered 64: one critical alert carrying the order and the refund.
    await sandbox.fault({ code: '64', operation: 'refund', times: 1 });
    const refused = await call('POST', `/v1/payments/${order}/refunds`, {
      refundNo: `${order}-r2`,
      amount: '1.00',
    });
    expect(refused.body.code).toBe('64');
    const [alert] = await am.waitForAlert('BalanceInsufficient');
    expect(alert!.labels).toMatchObject({
      severity: 'critical',
      code: '64',
      category: 'balance',
      wallet: 'WECHATHK',
    });
    expect(alert!.annotations).toMatchObject({
      outTradeNo: order,
      refundNo: `${order}-r2`,
      refundAmount: '1.00 HKD',
    });

    // Ten more within the group window: still one alert.
    await sandbox.fault({ code: '64', operation: 'refund', times: 10 });
    for (let i = 3; i < 13; i++)
      expect(
        (await call('POST', `/v1/payments/${order}/refunds`, { refundNo: `${order}-r${i}`, amount: '1.00' }))
          .body.code,
      ).toBe('64');
    await waitFor('eleven occurrences in one alert', async () => {
      const { body } = await call('GET', '/plugins/alerting/alerts');
      return (
        body.alerts.find((a: { labels: { code: string } }) => a.labels.code === '64')?.occurrences === 11
      );
    });
    expect(await am.alerts({ alertname: 'BalanceInsufficient' })).toHaveLength(1);

    // 80 on create: a warning.
    await sandbox.fault({ code: '80', operation: 'create', times: 1 });
    const rate = await call('POST', '/v1/payments', {
      ...create,
      outTradeNo: `${order}-alipay`,
      wallet: 'ALIPAYHK',
    });
    expect(rate.body.code).toBe('80');
    const [warning] = await am.waitForAlert('AlipayRateUnavailable');
    expect(warning!.labels).toMatchObject({ severity: 'warning', code: '80', wallet: 'ALIPAYHK' });

    // The ERP: one signed delivery per ledger entry after the two 503s; ids the same on retry.
    const journal = await waitFor('two ledger entries', async () => {
      const j = await call('GET', `/plugins/accounting/journal?outTradeNo=${order}`);
      return j.body.entries?.length === 2 ? j.body : undefined;
    });
    const entryIds = journal.entries.map((e: { id: string }) => e.id).sort();
    // Only this order's deliveries: on a broker kept between runs, the group may still be handed
    // entries an earlier run's ledger published after its ERP plugin had stopped.
    const mine = () => erp!.received.filter((r) => r.body?.data?.outTradeNo === order);
    await waitFor(
      'both entries accepted by the ERP',
      () => mine().filter((r) => r.status === 200).length >= 2,
      {
        timeoutMs: 30_000,
      },
    );
    expect(erp.received.slice(0, 2).map((r) => r.status)).toEqual([503, 503]);
    expect(erp.received.every((r) => r.validSignature)).toBe(true);
    const accepted = new Map(
      mine()
        .filter((r) => r.status === 200)
        .map((r) => [r.id, r.body.data.entryId]),
    );
    expect([...accepted.values()].sort()).toEqual(entryIds);

    // The CSV: the same postings, debits equal credits.
    const files = readdirSync(join(dir, 'erp'));
    expect(files).toHaveLength(1);
    const lines = readFileSync(join(dir, 'erp', files[0]!), 'utf8')
      .trimEnd()
      .split('\r\n');
    const rows = lines.slice(1).map((l) => l.split(','));
    const postings = journal.entries.flatMap((e: { postings: unknown[] }) => e.postings);
    expect(rows).toHaveLength(postings.length);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2);
    const cents = (i: number) => rows.reduce((s, r) => s + (r[i] ? Math.round(Number(r[i]) * 100) : 0), 0);
    expect(cents(4)).toBe(cents(5));
    expect(cents(4)).toBe(8234);
  }, 120_000);
});
