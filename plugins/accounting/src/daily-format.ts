// The daily report at the edge: JSON with amounts as decimal strings, and the CSV rows made from
// that same JSON, so the file and the route say the same thing cell for cell.
import { type Currency, formatAmount } from '@paystream/plugin-sdk';
import type { DailyReport, DifferenceKind } from './daily.js';
import type { Figures } from './reconcile.js';

/**
 * One side's money as decimal strings. No net column: every amount of the report is zero or more, so
 * no cell starts with `-` and the CSV's escaping never turns a number into text.
 */
export interface FiguresJson {
  paid: string;
  refunded: string;
  reversed: string;
}

/** The report as the routes answer it. */
export interface DailyReportJson {
  date: string;
  timeZone: 'Asia/Hong_Kong';
  from: string;
  to: string;
  generatedAt: string;
  orders: number;
  complete: boolean;
  totals: {
    wallet: string;
    currency: string;
    orders: number;
    aggregator: FiguresJson;
    gateway: FiguresJson;
    ledger: FiguresJson;
  }[];
  differences: {
    outTradeNo: string;
    wallet: string;
    currency: string;
    kind: DifferenceKind;
    /** A decimal string, or for `currency` the currency; null when unknown (`unavailable`). */
    expected: string | null;
    actual: string | null;
    expectedMinor: number | null;
    actualMinor: number | null;
  }[];
}

function figures(f: Figures, currency: string): FiguresJson {
  const c = currency as Currency;
  return {
    paid: formatAmount(f.paidMinor, c),
    refunded: formatAmount(f.refundedMinor, c),
    reversed: formatAmount(f.reversedMinor, c),
  };
}

/** The report with decimal strings. */
export function dailyJson(r: DailyReport): DailyReportJson {
  return {
    date: r.day,
    timeZone: 'Asia/Hong_Kong',
    from: r.from,
    to: r.to,
    generatedAt: r.generatedAt,
    orders: r.orders,
    complete: r.complete,
    totals: r.totals.map((t) => ({
      wallet: t.wallet,
      currency: t.currency,
      orders: t.orders,
      aggregator: figures(t.aggregator, t.currency),
      gateway: figures(t.gateway, t.currency),
      ledger: figures(t.ledger, t.currency),
    })),
    differences: r.differences.map((d) => {
      const amount = (minor: number | null, currency: string | undefined) =>
        currency !== undefined
          ? currency
          : minor === null
            ? null
            : formatAmount(minor, d.currency as Currency);
      return {
        outTradeNo: d.outTradeNo,
        wallet: d.wallet,
        currency: d.currency,
        kind: d.kind,
        expected: amount(d.expectedMinor, d.expectedCurrency),
        actual: amount(d.actualMinor, d.actualCurrency),
        expectedMinor: d.expectedMinor,
        actualMinor: d.actualMinor,
      };
    }),
  };
}

/** The CSV's columns, in file order: a `total` row fills the first 14, a `difference` row
 * the first 4 and the last 6. */
export const DAILY_COLUMNS = [
  'record',
  'date',
  'wallet',
  'currency',
  'orders',
  'aggregator_paid',
  'aggregator_refunded',
  'aggregator_reversed',
  'gateway_paid',
  'gateway_refunded',
  'gateway_reversed',
  'ledger_paid',
  'ledger_refunded',
  'ledger_reversed',
  'out_trade_no',
  'kind',
  'expected',
  'actual',
  'expected_minor',
  'actual_minor',
] as const;

const side = (f: FiguresJson) => [f.paid, f.refunded, f.reversed];
const blank = (n: number) => Array<string>(n).fill('');

/** The rows under the header: one per (wallet, currency) total, then one per difference. */
export function dailyRows(j: DailyReportJson): string[][] {
  return [
    ...j.totals.map((t) => [
      'total',
      j.date,
      t.wallet,
      t.currency,
      String(t.orders),
      ...side(t.aggregator),
      ...side(t.gateway),
      ...side(t.ledger),
      ...blank(6),
    ]),
    ...j.differences.map((d) => [
      'difference',
      j.date,
      d.wallet,
      d.currency,
      ...blank(10),
      d.outTradeNo,
      d.kind,
      d.expected ?? '',
      d.actual ?? '',
      d.expectedMinor === null ? '' : String(d.expectedMinor),
      d.actualMinor === null ? '' : String(d.actualMinor),
    ]),
  ];
}
