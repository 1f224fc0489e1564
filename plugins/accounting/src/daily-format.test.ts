// The report at the edge: decimal strings, currencies for a currency
// difference, and CSV rows that are the JSON cell for cell, escaped against CSV injection.
import { readCell } from '@paystream/csv-cells';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import type { DailyReport } from './daily.js';
import { dailyCsv } from './daily-csv.js';
import { DAILY_COLUMNS, dailyJson, dailyRows } from './daily-format.js';

const zero = { paidMinor: 0, refundedMinor: 0, reversedMinor: 0 };
const report: DailyReport = {
  day: '2026-03-05',
  from: '2026-03-04T16:00:00.000Z',
  to: '2026-03-05T16:00:00.000Z',
  generatedAt: '2026-03-05T16:30:00.000Z',
  orders: 2,
  complete: false,
  totals: [
    {
      wallet: 'WECHATHK',
      currency: 'HKD',
      orders: 2,
      aggregator: { paidMinor: 1000, refundedMinor: 1250, reversedMinor: 0 },
      gateway: { paidMinor: 1000, refundedMinor: 0, reversedMinor: 5 },
      ledger: zero,
    },
  ],
  differences: [
    {
      outTradeNo: '-1-1',
      wallet: 'WECHATHK',
      currency: 'HKD',
      kind: 'refunded_amount',
      expectedMinor: 1250,
      actualMinor: 0,
    },
    {
      outTradeNo: '=cmd|"/c calc"!A0',
      wallet: 'WECHATHK',
      currency: 'HKD',
      kind: 'currency',
      expectedMinor: null,
      actualMinor: null,
      expectedCurrency: 'CNY',
      actualCurrency: 'HKD',
    },
    {
      outTradeNo: 'a,b\r\nc',
      wallet: 'WECHATHK',
      currency: 'HKD',
      kind: 'unavailable',
      expectedMinor: null,
      actualMinor: 5,
    },
  ],
};

it('writes amounts as decimal strings and a currency difference as the currencies', () => {
  const j = dailyJson(report);
  expect(j.totals[0]).toEqual({
    wallet: 'WECHATHK',
    currency: 'HKD',
    orders: 2,
    aggregator: { paid: '10.00', refunded: '12.50', reversed: '0.00' },
    gateway: { paid: '10.00', refunded: '0.00', reversed: '0.05' },
    ledger: { paid: '0.00', refunded: '0.00', reversed: '0.00' },
  });
  expect(j.differences.map((d) => [d.kind, d.expected, d.actual, d.expectedMinor, d.actualMinor])).toEqual([
    ['refunded_amount', '12.50', '0.00', 1250, 0],
    ['currency', 'CNY', 'HKD', null, null],
    ['unavailable', null, '0.05', null, 5],
  ]);
});

it('writes the CSV as the JSON rows, every cell escaped and read back exactly', () => {
  const j = dailyJson(report);
  const text = dailyCsv(j);
  const rows = parse(text) as string[][];
  expect(rows[0]).toEqual([...DAILY_COLUMNS]);
  expect(rows.slice(1).map((r) => r.map(readCell))).toEqual(dailyRows(j));
  expect(rows.slice(1).every((r) => r.length === DAILY_COLUMNS.length)).toBe(true);
  // Nothing a spreadsheet would run, and one physical line per row.
  expect(text.split('\r\n')).toHaveLength(1 + 1 + 3 + 1);
  expect(text).toContain(`"'-1-1"`);
  expect(text).toContain(`"'=cmd|%22/c calc%22!A0"`);
  expect(text).toContain(',a%2Cb%0D%0Ac,');
});
