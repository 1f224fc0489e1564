// Through the gateway, on the embedded default and on Kafka with PostgreSQL: an order paid and
// partly refunded ends as two balanced entries in the ledger; after a restart with the ledger's
// consumer group reset to the first event (every event redelivered), nothing changes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus } from '@paystream/bus';
import { kafkaTestBrokers, runId, waitFor } from '@paystream/bus/testing';
import { loadConfig } from '@paystream/config';
import { createTestDatabase, type TestDatabase } from '@paystream/db/testing';
import { sandboxControls } from '@paystream/upstream-sandbox';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { type AllInOne, startAllInOne } from '../src/start.js';
import { gatewayCaller } from './fixtures/call.js';

const setups = [
  { name: 'embedded bus, SQLite', kafka: false },
  { name: 'Kafka, PostgreSQL', kafka: true },
] as const;

describe.each(setups)('the ledger through the gateway ($name)', ({ kafka }) => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-ledger-e2e-'));
  let testDb: TestDatabase | undefined;
  let platform: AllInOne | undefined;
  afterAll(async () => {
    await platform?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('books a paid, partly refunded order as two balanced entries; a full redelivery changes nothing', async () => {
    testDb = kafka ? await createTestDatabase('postgres') : undefined;
    const env = {
      PORT: '0',
      SANDBOX_PORT: '0',
      DATABASE_URL: testDb?.url ?? `sqlite:${join(dir, 'db.sqlite')}`,
      EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
      OUTBOX_POLL_INTERVAL_MS: '20',
      ...(kafka ? { KAFKA_BROKERS: kafkaTestBrokers().join(','), KAFKA_TOPIC_PARTITIONS: '3' } : {}),
    };
    const config = loadConfig(env);
    const start = () => startAllInOne(config, pino({ level: 'silent' }));
    platform = await start();
    const order = `e2e-${runId()}`;
    const call = gatewayCaller(() => platform);
    expect(
      (
        await call('POST', '/v1/payments', {
          outTradeNo: order,
          amount: '50.00',
          currency: 'CNY',
          wallet: 'ALIPAYCN',
        })
      ).status,
    ).toBe(201);
    expect((await sandboxControls(platform.sandbox!.url).pay(order)).status).toBe(200);
    await waitFor('paid', async () => (await call('GET', `/v1/payments/${order}`)).body.status === 'paid');
    expect(
      (await call('POST', `/v1/payments/${order}/refunds`, { refundNo: `${order}-r1`, amount: '12.50' }))
        .status,
    ).toBe(201);

    const journal = await waitFor('two entries', async () => {
      const j = await call('GET', `/plugins/accounting/journal?outTradeNo=${order}`);
      return j.body.entries?.length === 2 ? j.body : undefined;
    });
    expect(journal.entries.map((e: { postings: unknown }) => e.postings)).toEqual([
      [
        { account: 'assets:clearing:ALIPAYCN', side: 'debit', amount: '50.00', currency: 'CNY' },
        { account: 'income:sales:dev', side: 'credit', amount: '50.00', currency: 'CNY' },
      ],
      [
        { account: 'income:refunds:dev', side: 'debit', amount: '12.50', currency: 'CNY' },
        { account: 'assets:clearing:ALIPAYCN', side: 'credit', amount: '12.50', currency: 'CNY' },
      ],
    ]);
    const trial = (await call('GET', '/plugins/accounting/trial-balance')).body as {
      currency: string;
      debit: string;
      credit: string;
    }[];
    for (const row of trial) expect(row.debit).toBe(row.credit);
    const metrics = await (await fetch(`${platform.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/paystream_ledger_entries_total\{currency="CNY"\} [1-9]/);
    expect(metrics).toMatch(/paystream_plugin_consumer_lag\{plugin="accounting"\} \d+/);

    // Stop, move the ledger's group back to the first event, start again: every event comes again.
    await platform.close();
    platform = undefined;
    const bus = await createBus({
      kafkaBrokers: config.kafkaBrokers,
      embeddedFile: config.embeddedBusFile!,
      kafka: config.kafkaTopic,
    });
    await bus.resetOffsets('paystream.plugin.accounting');
    expect(await bus.lag('paystream.plugin.accounting')).toBeGreaterThanOrEqual(3);
    await bus.close();
    platform = await start();
    await waitFor('the replay', async () => (await platform!.plugins.status())[0]!.lag === 0, {
      timeoutMs: 90_000,
    });
    expect((await call('GET', `/plugins/accounting/journal?outTradeNo=${order}`)).body).toEqual(journal);
    // On Kafka the replay also brings earlier runs' orders on the shared topic: the ledger books
    // those once, and stays balanced.
    const after = (await call('GET', '/plugins/accounting/trial-balance')).body as typeof trial;
    if (!kafka) expect(after).toEqual(trial);
    for (const row of after) expect(row.debit).toBe(row.credit);
  });
});
