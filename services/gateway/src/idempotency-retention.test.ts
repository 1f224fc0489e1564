// The gateway keeps its growing tables to their retention: an Idempotency-Key past
// IDEMPOTENCY_KEY_RETENTION_MS is forgotten (the same request then runs again and finds its
// payment by outTradeNo, nothing is created twice), a younger one still replays; sent outbox
// rows past OUTBOX_SENT_RETENTION_MS go, younger and unsent ones stay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTBOX_TABLE } from '@paystream/bus';
import { hashApiKey, loadConfig, SCOPES } from '@paystream/config';
import { sql } from '@paystream/db';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '@paystream/db/testing';
import { METRIC_TABLE_ROWS } from '@paystream/telemetry';
import { type RunningSandbox, SANDBOX_DEV_CREDENTIALS, startSandbox } from '@paystream/upstream-sandbox';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TABLE } from './http/idempotency.js';
import { type RunningGateway, startGateway } from './start.js';

const KEY = 'psk_test_retention_0123456789';
const HOUR = 3_600_000;

describe.each(TEST_DATABASE_KINDS)('retention of the gateway tables on %s', (kind) => {
  let sandbox: RunningSandbox;
  let testDb: TestDatabase;
  let dir: string;
  let gateway: RunningGateway;
  const registry = new Registry();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-retention-'));
    sandbox = await startSandbox({ port: 0 });
    testDb = await createTestDatabase(kind);
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: testDb.url,
      EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
      SWEEP_INTERVAL_MS: '3600000',
      // Only the passes this test asks for: the background one runs at start-up, then in a day.
      PRUNE_INTERVAL_MS: '86400000',
      PAYSTREAM_API_KEYS: JSON.stringify([
        { caller: 'checkout', sha256: hashApiKey(KEY), scopes: [...SCOPES] },
      ]),
    });
    expect(config.retention).toMatchObject({ sentOutboxMs: HOUR, idempotencyKeysMs: 24 * HOUR });
    gateway = await startGateway({
      config,
      upstreamBaseUrl: sandbox.url,
      upstreamCredentials: SANDBOX_DEV_CREDENTIALS,
      registry,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // biome-ignore lint/suspicious/noExplicitAny: the gateway's and the bus's tables, untyped here.
  const db = () => gateway.database.db as any;
  const create = (outTradeNo: string, key: string) =>
    fetch(`${gateway.url}/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ outTradeNo, amount: '10.00', currency: 'HKD', wallet: 'WECHATHK' }),
    });
  /** Moves a column back in time, as if the rows had been written `ms` earlier. */
  const age = async (table: string, column: string, ms: number, where: ReturnType<typeof sql>) => {
    const rows = (
      await sql<Record<string, string>>`select ${sql.ref(column)} as at, ${sql.raw(
        table === OUTBOX_TABLE ? 'position' : 'key',
      )} as id from ${sql.table(table)} where ${where}`.execute(db())
    ).rows;
    for (const r of rows)
      await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${new Date(
        Date.parse(r.at!) - ms,
      ).toISOString()} where ${sql.ref(table === OUTBOX_TABLE ? 'position' : 'key')} = ${r.id}`.execute(db());
    return rows.length;
  };
  const gauge = async (table: string) =>
    (await registry.getSingleMetric(METRIC_TABLE_ROWS)!.get()).values.find((v) => v.labels.table === table)
      ?.value;

  it('forgets keys and sent outbox rows past their retention, and nothing younger', async () => {
    const [oldNo, newNo] = [`ret-${kind}-${process.pid}-old`, `ret-${kind}-${process.pid}-new`];
    expect((await create(oldNo, `${oldNo}-key`)).status).toBe(201);
    expect((await create(newNo, `${newNo}-key`)).status).toBe(201);
    await gateway.relay.flush();
    expect(await gateway.relay.pending()).toBe(0);
    // The start-up pass may still be running: passes never overlap, so this one returns after it,
    // and no pass runs between the ageing below and the counted one.
    await gateway.pruner.prune();

    // The first order's key is a day and a minute old; its event was sent an hour and a minute ago.
    expect(await age(IDEMPOTENCY_TABLE, 'created_at', 24 * HOUR + 60_000, sql`key = ${`${oldNo}-key`}`)).toBe(
      1,
    );
    expect(await age(OUTBOX_TABLE, 'sent_at', HOUR + 60_000, sql`subject = ${oldNo}`)).toBe(1);
    // The second's key is a minute short of a day old, its event sent a minute short of an hour ago.
    await age(IDEMPOTENCY_TABLE, 'created_at', 24 * HOUR - 60_000, sql`key = ${`${newNo}-key`}`);
    await age(OUTBOX_TABLE, 'sent_at', HOUR - 60_000, sql`subject = ${newNo}`);
    // An unsent row, however old, is never pruned.
    await db()
      .insertInto(OUTBOX_TABLE)
      .values({
        event_id: `unsent-${kind}-${process.pid}`,
        type: 'payment.created',
        subject: 'unsent',
        payload: '{}',
        created_at: new Date(Date.now() - 30 * 24 * HOUR).toISOString(),
        sent_at: null,
      })
      .execute();

    expect(await gateway.pruner.prune()).toEqual({ [OUTBOX_TABLE]: 1, [IDEMPOTENCY_TABLE]: 1 });
    const keys = await db().selectFrom(IDEMPOTENCY_TABLE).select('key').orderBy('key').execute();
    expect(keys).toEqual([{ key: `${newNo}-key` }]);
    const outbox = await db().selectFrom(OUTBOX_TABLE).select('subject').orderBy('position').execute();
    expect(outbox).toEqual([{ subject: newNo }, { subject: 'unsent' }]);
    expect(await gauge(IDEMPOTENCY_TABLE)).toBe(1);
    expect(await gauge(OUTBOX_TABLE)).toBe(2);

    // The younger key replays its answer; the forgotten one runs again and finds its payment.
    const replay = await create(newNo, `${newNo}-key`);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const again = await create(oldNo, `${oldNo}-key`);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(((await again.json()) as { outTradeNo: string }).outTradeNo).toBe(oldNo);
    const orders = await db()
      .selectFrom('gateway_orders')
      .select('out_trade_no')
      .orderBy('out_trade_no')
      .execute();
    expect(orders).toEqual(
      [{ out_trade_no: newNo }, { out_trade_no: oldNo }].sort((a, b) =>
        a.out_trade_no < b.out_trade_no ? -1 : 1,
      ),
    );
  }, 60_000);
});
