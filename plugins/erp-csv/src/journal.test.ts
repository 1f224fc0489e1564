import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntryData } from '@paystream/plugin-sdk';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, journalFile } from './journal.js';
import { hongKongDate } from './rows.js';

const entry = (id: string, over: Partial<LedgerEntryData> = {}): LedgerEntryData => ({
  entryId: id,
  eventId: `ev-${id}`,
  eventType: 'payment.succeeded',
  outTradeNo: 'ORD-1',
  wallet: 'WECHATHK',
  postedAt: '2026-03-01T10:00:00.000Z',
  postings: [
    { account: 'assets:clearing:WECHATHK', side: 'debit', amountMinor: 1234, currency: 'HKD' },
    { account: 'income:sales, "retail"', side: 'credit', amountMinor: 1234, currency: 'HKD' },
  ],
  ...over,
});

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => {
  dir = mkdtempSync(join(tmpdir(), 'erp-csv-'));
  return new Journal(dir);
};

describe('Journal', () => {
  it('writes RFC 4180: a header once, CRLF lines, quoted fields, one line per posting', () => {
    const j = fresh();
    j.append(entry('e1'));
    j.append(entry('e2', { refundNo: 'R-1', eventType: 'refund.succeeded' }));
    const text = readFileSync(journalFile(dir, entry('e1')), 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      'entry_id,event_id,date,account,debit,credit,currency,out_trade_no,refund_no',
    );
    expect(text).toContain('e1,ev-e1,2026-03-01,"income:sales, ""retail""",,12.34,HKD,ORD-1,\r\n');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ entry_id: 'e2', refund_no: 'R-1', credit: '12.34', debit: '' });
  });

  it('never writes an entry twice, even from a new instance (a restart)', () => {
    const j = fresh();
    expect(j.append(entry('e1')).written).toBe(true);
    expect(j.append(entry('e1')).written).toBe(false);
    expect(new Journal(dir).append(entry('e1')).written).toBe(false);
    const rows = parse(readFileSync(journalFile(dir, entry('e1')), 'utf8'), { columns: true });
    expect(rows).toHaveLength(2);
  });

  it('cuts a torn last line left by a crash before appending again', () => {
    const j = fresh();
    j.append(entry('e1'));
    const path = journalFile(dir, entry('e1'));
    appendFileSync(path, 'e2,ev-e2,2026-03-01,assets:cl'); // a crash mid-write
    new Journal(dir).append(entry('e3'));
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('e2,');
    expect(text.endsWith('\r\n')).toBe(true);
    expect((parse(text, { columns: true }) as { entry_id: string }[]).map((r) => r.entry_id)).toEqual([
      'e1',
      'e1',
      'e3',
      'e3',
    ]);
  });

  it('files an entry under its Hong Kong date', () => {
    expect(hongKongDate('2026-01-01T15:59:59.000Z')).toBe('2026-01-01');
    expect(hongKongDate('2026-01-01T16:00:00.000Z')).toBe('2026-01-02');
    fresh();
    expect(journalFile(dir, { postedAt: '2026-01-01T16:30:00Z' })).toBe(join(dir, 'journal-2026-01-02.csv'));
  });
});
