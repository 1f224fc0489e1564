import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntryData } from '@paystream/plugin-sdk';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, journalFile } from './journal.js';
import { COLUMNS, hongKongDate, journalCell, readCell } from './rows.js';

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
  it('writes RFC 4180: a header once, CRLF lines, one line per posting, no separator or quote inside a cell', () => {
    const j = fresh();
    j.append(entry('e1'));
    j.append(entry('e2', { refundNo: 'R-1', eventType: 'refund.succeeded' }));
    const text = readFileSync(journalFile(dir, entry('e1')), 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      'entry_id,event_id,date,account,debit,credit,currency,out_trade_no,refund_no',
    );
    expect(text).toContain('e1,ev-e1,2026-03-01,income:sales%2C %22retail%22,,12.34,HKD,ORD-1,\r\n');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    expect(readCell(rows[1]!.account!)).toBe('income:sales, "retail"');
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

// What an import that ignores quoting sees: lines split on LF, fields split on commas; a field
// wrapped in quotes is unwrapped (and "" read as "), nothing more.
function naiveRead(text: string): string[][] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) =>
    line
      .replace(/\r$/, '')
      .split(',')
      .map((f) =>
        f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replaceAll('""', '"') : f,
      ),
  );
}

describe('cells a caller chose', () => {
  const hostile = [
    '=1+1',
    '-1-1',
    '@SUM(A1)',
    '"x\r\n,999.00,,HKD,"',
    '+41 22',
    '\tcmd',
    '\rx',
    "'quoted",
    'a\u2028b%41',
    'line\nbreak',
  ];

  it('never become formulas, rows or fields: an RFC 4180 parser and a naive line reader see the same cells', () => {
    const j = fresh();
    hostile.forEach((value, i) => {
      j.append(
        entry(`e${i}`, { eventId: value, outTradeNo: value, refundNo: value, eventType: 'refund.succeeded' }),
      );
    });
    j.append(entry('e-legal', { outTradeNo: '-A2-642' }));
    const text = readFileSync(journalFile(dir, entry('x')), 'utf8');
    const rfc = parse(text) as string[][];
    const naive = naiveRead(text);
    expect(rfc).toHaveLength(1 + 2 * (hostile.length + 1));
    expect(naive).toEqual(rfc);
    for (const row of rfc) expect(row).toHaveLength(COLUMNS.length);
    // No cell starts as a formula would, and each reads back as the value written.
    for (const row of rfc.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    hostile.forEach((value, i) => {
      const lines = rfc.filter((r) => r[0] === `e${i}`);
      expect(lines).toHaveLength(2);
      for (const row of lines) {
        expect(readCell(row[1]!)).toBe(value);
        expect(readCell(row[7]!)).toBe(value);
        expect(readCell(row[8]!)).toBe(value);
      }
    });
    expect(text).toContain(`,"'-1-1",`);
    expect(text).toContain(`,"'=1+1",`);
    expect(text).toContain(`,"'@SUM(A1)",`);
    expect(text).toContain(',%22x%0D%0A%2C999.00%2C%2CHKD%2C%22,');
    expect(rfc.find((r) => r[0] === 'e-legal')![7]).toBe("'-A2-642");
    // The file balances whatever the order numbers were.
    const cents = (k: number) =>
      rfc.slice(1).reduce((sum, r) => sum + (r[k] ? Math.round(Number(r[k]) * 100) : 0), 0);
    expect(cents(4)).toBe(cents(5));
    // A restart reads the entry ids back and writes none of them again.
    expect(new Journal(dir).append(entry('e0')).written).toBe(false);
  });

  it('are escaped exactly: percent-encoded unsafe characters, a quote before a formula start', () => {
    expect(journalCell('ORD-1')).toBe('ORD-1');
    expect(journalCell('-1-1')).toBe("'-1-1");
    expect(journalCell('a,b"c')).toBe('a%2Cb%22c');
    expect(journalCell('\tx')).toBe('%09x');
    expect(journalCell('50%')).toBe('50%25');
    expect(journalCell('订单')).toBe('订单');
    for (const v of hostile) expect(readCell(journalCell(v))).toBe(v);
  });
});
