// The CSV connector on the real ledger: a paid, partly refunded order's entries land in the Hong
// Kong day's file, balanced; a full redelivery of every event adds nothing. Order and refund numbers
// built to be formulas or to break rows stay single, inert cells for any reader.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccountingPlugin } from '@paystream/accounting';
import { makeEvents, runId, startTestHost } from '@paystream/plugin-testing';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { createErpCsvPlugin, readCell } from '../src/index.js';

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
    expect(rows).toHaveLength(4); // two postings each for the payment and the refund
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

it('writes hostile order and refund numbers from the real ledger as inert cells, one line per posting', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'erp-csv-'));
  const t = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 0 }), createErpCsvPlugin({ dir })],
  });
  try {
    const run = runId();
    // Order numbers the event contract allows (the gateway's own rules are stricter): formulas,
    // a legal number starting with '-', and one that tries to end its row and add another.
    const orders = ['=1+1', '-1-1', '@SUM(A1)', '"x\r\n,999.00,,HKD,"'].map((o) => `${o}${run}`);
    const events = orders.flatMap((outTradeNo, i) => {
      const data = {
        outTradeNo,
        amountMinor: 1000 + i,
        currency: 'HKD' as const,
        wallet: 'WECHATHK' as const,
        caller: 'shop',
        // The caller's own data never reaches the journal.
        metadata: { description: '=HYPERLINK("http://127.0.0.1/x","click")' },
      };
      const [paid] = makeEvents({
        type: 'payment.succeeded',
        prefix: `p${run}${i}`,
        data: { ...data, sequence: 1 },
      });
      const [refund] = makeEvents({
        type: 'refund.succeeded',
        prefix: `r${run}${i}`,
        data: {
          ...data,
          sequence: 2,
          refundNo: `-R${i}\n,1.00`,
          refundAmountMinor: 100,
          refundedTotalMinor: 100,
        },
      });
      return [
        { ...paid!, subject: outTradeNo },
        { ...refund!, subject: outTradeNo },
      ];
    });
    await t.publish(events);
    const [file] = readdirSync(dir);
    const text = readFileSync(join(dir, file!), 'utf8');
    const rfc = parse(text) as string[][];
    // Line-based: split on LF, fields on commas, quotes only unwrapped.
    const naive = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) =>
        l
          .replace(/\r$/, '')
          .split(',')
          .map((f) =>
            f.startsWith('"') && f.endsWith('"') && f.length >= 2 ? f.slice(1, -1).replaceAll('""', '"') : f,
          ),
      );
    expect(rfc).toHaveLength(1 + orders.length * 4);
    expect(naive).toEqual(rfc);
    expect(text).not.toContain('HYPERLINK');
    for (const row of rfc.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const columns = rfc[0]!;
    const at = (name: string) => columns.indexOf(name);
    expect(new Set(rfc.slice(1).map((r) => readCell(r[at('out_trade_no')]!)))).toEqual(new Set(orders));
    expect(rfc.find((r) => readCell(r[at('out_trade_no')]!) === orders[1])![at('out_trade_no')]).toBe(
      `'-1-1${run}`,
    );
    const refunds = rfc.slice(1).filter((r) => r[at('refund_no')] !== '');
    expect(refunds).toHaveLength(orders.length * 2);
    for (const r of refunds) expect(readCell(r[at('refund_no')]!)).toMatch(/^-R\d\n,1\.00$/);
    expect(rfc.slice(1).map((r) => r[at('account')])).toContain('income:sales:shop');
    const cents = (k: string) =>
      rfc.slice(1).reduce((s, r) => s + (r[at(k)] ? Math.round(Number(r[at(k)]) * 100) : 0), 0);
    expect(cents('debit')).toBe(cents('credit'));
    expect(cents('debit')).toBe(1000 + 1001 + 1002 + 1003 + 4 * 100);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
