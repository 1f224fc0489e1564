// The CSV connector on the real ledger: a paid, partly refunded order's entries land in the Hong
// Kong day's file, balanced; a full redelivery of every event adds nothing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccountingPlugin } from '@paystream/accounting';
import { makeEvents, runId, startTestHost } from '@paystream/plugin-host/testing';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { createErpCsvPlugin } from '../src/index.js';

it('writes each posting once, even when every event is delivered again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'erp-csv-'));
  const t = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 0 }), createErpCsvPlugin({ dir })],
  });
  try {
    const order = `ord-${runId()}`;
    const data = {
      outTradeNo: order,
      amountMinor: 2500,
      currency: 'HKD' as const,
      wallet: 'ALIPAYHK' as const,
    };
    const [paid] = makeEvents({
      type: 'payment.succeeded',
      prefix: `${order}.1`,
      data: { ...data, sequence: 1 },
    });
    const [refund] = makeEvents({
      type: 'refund.succeeded',
      prefix: `${order}.2`,
      data: { ...data, sequence: 2, refundNo: 'R9', refundAmountMinor: 500, refundedTotalMinor: 500 },
    });
    await t.publish([
      { ...paid!, subject: order },
      { ...refund!, subject: order },
    ]);
    const [file] = readdirSync(dir);
    const before = readFileSync(join(dir, file!), 'utf8');
    const rows = parse(before, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(new Set(rows.map((r) => r.entry_id)).size).toBe(2);
    const cents = (k: string) => rows.reduce((s, r) => s + (r[k] ? Math.round(Number(r[k]) * 100) : 0), 0);
    expect(cents('debit')).toBe(cents('credit'));

    await t.replay();
    await t.settle();
    expect(readFileSync(join(dir, file!), 'utf8')).toBe(before);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
