// The ERP connectors on the real ledger, on both transports: an order paid and partly refunded
// reaches the ERP as one signed delivery per ledger entry (after two 503s, deduped by webhook-id)
// and the daily CSV holds the same postings, balanced. A 4xx dead-letters the entry with the answer.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccountingPlugin } from '@paystream/accounting';
import { createErpCsvPlugin } from '@paystream/erp-csv';
import { orderEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { createErpWebhookPlugin } from '../src/index.js';
import { startTestErp, type TestErp } from '../src/testing/receiver.js';
import { SECRET, SECRET_BYTES } from './fixtures.js';

let t: TestHost | undefined;
let erp: TestErp | undefined;
let csvDir: string | undefined;
afterEach(async () => {
  await t?.close();
  await erp?.close();
  if (csvDir) rmSync(csvDir, { recursive: true, force: true });
  t = erp = csvDir = undefined;
});

const fastRetries = { retryScheduleMs: [50, 100, 200] };
const toMinor = (s: string) => (s === '' ? 0 : Math.round(Number(s) * 100)); // test-side check only

describe.each([
  { transport: 'embedded', database: 'sqlite' },
  { transport: 'kafka', database: 'postgres' },
] as const)('ERP connectors on $transport with $database', ({ transport, database }) => {
  it('delivers each ledger entry once (after dedupe), signed, and writes the same balanced postings to the CSV', async () => {
    erp = await startTestErp({ secretBytes: SECRET_BYTES, answer: (n) => ({ status: n <= 2 ? 503 : 200 }) });
    csvDir = mkdtempSync(join(tmpdir(), 'erp-csv-'));
    t = await startTestHost({
      plugins: [
        createAccountingPlugin({ reconcileIntervalMs: 0 }),
        createErpWebhookPlugin({ url: erp.url, secret: SECRET, ...fastRetries }),
        createErpCsvPlugin({ dir: csvDir }),
      ],
      transport,
      database,
    });
    const events = orderEvents(`ord-${runId()}`, { refundMinor: 300 });
    const order = events[0]!.data.outTradeNo;
    await t.publish(events);

    const journal = await t.request('GET', `/plugins/accounting/journal?outTradeNo=${order}`);
    const entries = journal.body.entries as { id: string; postings: unknown[] }[];
    expect(entries).toHaveLength(2);

    // The first two attempts failed with 503; after dedupe by webhook-id, one delivery per entry.
    expect(erp.received.slice(0, 2).map((r) => r.status)).toEqual([503, 503]);
    expect(erp.received.every((r) => r.validSignature)).toBe(true);
    const accepted = erp.received.filter((r) => r.status === 200);
    const byId = new Map(accepted.map((r) => [r.id, r]));
    expect(byId.size).toBe(accepted.length);
    expect([...byId.values()].map((r) => r.body.data.entryId).sort()).toEqual(
      entries.map((e) => e.id).sort(),
    );
    const failedIds = new Set(erp.received.filter((r) => r.status === 503).map((r) => r.id));
    for (const id of failedIds) expect(byId.has(id)).toBe(true); // retried with the same id

    // The CSV: the same postings, debits equal to credits.
    const files = readdirSync(csvDir!);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^journal-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse(readFileSync(join(csvDir!, files[0]!), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => r.entry_id).sort()).toEqual(
      entries.flatMap((e) => e.postings.map(() => e.id)).sort(),
    );
    expect(rows.every((r) => r.out_trade_no === order)).toBe(true);
    expect(rows.filter((r) => r.refund_no === 'R1')).toHaveLength(2);
    const sum = (k: string) => rows.reduce((s, r) => s + toMinor(r[k]!), 0);
    expect(sum('debit')).toBe(sum('credit'));
    expect(sum('debit')).toBe(1300);
    const webhookPostings = [...byId.values()].flatMap((r) => r.body.data.postings);
    expect(webhookPostings).toHaveLength(rows.length);
  }, 90_000);
});

describe('ERP webhook failures', () => {
  it("dead-letters an entry the ERP refuses with a 4xx, keeping the ERP's answer", async () => {
    erp = await startTestErp({
      secretBytes: SECRET_BYTES,
      answer: () => ({ status: 422, body: '{"error":"unknown account"}' }),
    });
    t = await startTestHost({
      plugins: [
        createAccountingPlugin({ reconcileIntervalMs: 0 }),
        createErpWebhookPlugin({ url: erp.url, secret: SECRET, ...fastRetries }),
      ],
    });
    await t.publish(orderEvents(`ord-${runId()}`, { refundMinor: 300 }));
    const dead = await t.deadLetters('erp-webhook');
    expect(dead).toHaveLength(2);
    expect(dead[0]!.error).toMatch(/ERP answered 422 .*unknown account/);
    expect(dead[0]!.type).toBe('ledger.entry.posted');
    // The ledger itself is untouched by the connector's failure.
    expect((await t.host.status()).find((s) => s.id === 'accounting')).toMatchObject({
      lag: 0,
      deadLetters: 0,
    });
  });

  it('refuses to start without a valid secret, and never shows the value', async () => {
    const bad = 'whsec_not base64 at all, hunter2';
    await expect(
      startTestHost({
        plugins: [createErpWebhookPlugin({ url: 'http://127.0.0.1:9/x' })],
        env: { ERP_WEBHOOK_SECRET: bad },
      }),
    ).rejects.toThrow(/secret: ERP_WEBHOOK_SECRET must be whsec_/);
    await expect(
      startTestHost({
        plugins: [createErpWebhookPlugin({ url: 'http://127.0.0.1:9/x' })],
        env: { ERP_WEBHOOK_SECRET: bad },
      }),
    ).rejects.not.toThrow(/hunter2/);
  });
});
