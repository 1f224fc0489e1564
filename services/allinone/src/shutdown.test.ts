// Graceful shutdown: a request in flight when close() starts still gets its answer, and what it
// recorded leaves the outbox before the process lets go of the bus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@paystream/config';
import { type Kysely, openDatabase } from '@paystream/db';
import { sandboxControls } from '@paystream/upstream-sandbox';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { startAllInOne } from './start.js';

const dir = mkdtempSync(join(tmpdir(), 'paystream-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('drains the request in flight and flushes the outbox on close', async () => {
  const dbFile = join(dir, 'db.sqlite');
  const platform = await startAllInOne(
    loadConfig({
      PORT: '0',
      SANDBOX_PORT: '0',
      DATABASE_URL: `sqlite:${dbFile}`,
      EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
      // The relay would not run again before the test ends: only the shutdown flush publishes.
      OUTBOX_POLL_INTERVAL_MS: '60000',
    }),
    pino({ level: 'silent' }),
  );
  // The sandbox holds the create for a while, so close() starts while the request is in flight.
  await sandboxControls(platform.sandbox!.url).fault({ operation: 'create', delayMs: 300 });
  const inFlight = fetch(`${platform.gateway.url}/v1/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.devKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ outTradeNo: 'drain-1', amount: '1.00', currency: 'HKD', wallet: 'WECHATHK' }),
  });
  // The sandbox takes the fault when the call arrives: from then on the request is in flight.
  while (platform.sandbox!.faults.list().length > 0) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const closed = platform.close();
  const res = await inFlight;
  expect(res.status).toBe(201);
  await closed;

  const db = openDatabase({ url: `sqlite:${dbFile}` });
  const outbox = db.db as Kysely<{ paystream_outbox: { event_id: string; sent_at: string | null } }>;
  const rows = await outbox.selectFrom('paystream_outbox').select(['event_id', 'sent_at']).execute();
  await db.destroy();
  expect(rows).toHaveLength(1);
  expect(rows[0]?.sent_at).not.toBeNull();
});
