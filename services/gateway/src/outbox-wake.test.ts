// The outbox relay is woken by the commit: with its poll a minute away, what a create or a notify
// records still reaches the bus, well within the wait below. The wait is a bound, not a speed
// check: without the wake the event would only go out at the next poll, after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from '@paystream/bus';
import { waitFor } from '@paystream/bus/testing';
import { hashApiKey, loadConfig, SCOPES } from '@paystream/config';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '@paystream/db/testing';
import type { PaystreamEvent } from '@paystream/events';
import {
  type RunningSandbox,
  SANDBOX_DEV_CREDENTIALS,
  sandboxControls,
  startSandbox,
} from '@paystream/upstream-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from './start.js';

const KEY = 'psk_test_wake_0123456789';
const POLL_MS = 60_000;
/** Far below the poll interval: an event that waited for the poll would miss it. */
const PROMPTLY = { timeoutMs: 15_000, intervalMs: 20 };

describe.each(TEST_DATABASE_KINDS)('outbox relay woken by the commit, on %s', (kind) => {
  let sandbox: RunningSandbox;
  let testDb: TestDatabase;
  let dir: string;
  let gateway: RunningGateway;
  let subscription: Subscription;
  const received: PaystreamEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paystream-wake-'));
    sandbox = await startSandbox({ port: 0 });
    testDb = await createTestDatabase(kind);
    const config = loadConfig({
      PORT: '0',
      DATABASE_URL: testDb.url,
      EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
      OUTBOX_POLL_INTERVAL_MS: String(POLL_MS),
      SWEEP_INTERVAL_MS: '3600000',
      PAYSTREAM_API_KEYS: JSON.stringify([
        { caller: 'checkout', sha256: hashApiKey(KEY), scopes: [...SCOPES] },
      ]),
    });
    gateway = await startGateway({
      config,
      upstreamBaseUrl: sandbox.url,
      upstreamCredentials: SANDBOX_DEV_CREDENTIALS,
    });
    subscription = await gateway.bus.subscribe(
      `wake-test-${kind}`,
      async (event) => {
        received.push(event);
      },
      { fromBeginning: true },
    );
  });
  afterAll(async () => {
    await subscription?.close();
    await gateway?.close();
    await sandbox?.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (outTradeNo: string) =>
    fetch(`${gateway.url}/v1/payments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ outTradeNo, amount: '10.00', currency: 'HKD', wallet: 'WECHATHK' }),
    });
  const arrived = (outTradeNo: string, type: string) =>
    waitFor(
      `${type} of ${outTradeNo} on the bus`,
      () => received.find((e) => e.subject === outTradeNo && e.type === type),
      PROMPTLY,
    );

  it('publishes a create and its notify without waiting for the poll', async () => {
    const first = `wake-${kind}-${process.pid}-1`;
    expect((await create(first)).status).toBe(201);
    await arrived(first, 'payment.created');
    // Whatever drains were running (the start-up one, the first wake's) are over after this; the
    // next poll is a minute away, so from here only a wake can publish.
    await gateway.relay.flush();

    const second = `wake-${kind}-${process.pid}-2`;
    expect((await create(second)).status).toBe(201);
    await arrived(second, 'payment.created');
    const paid = await sandboxControls(sandbox.url).pay(second);
    expect(paid.body.notify?.status).toBe(200);
    await arrived(second, 'payment.succeeded');
    // The relay marks a batch sent after the bus took it, in a commit of its own: it follows.
    await waitFor(
      'every outbox row marked sent',
      async () => (await gateway.relay.pending()) === 0,
      PROMPTLY,
    );
  }, 60_000);
});
