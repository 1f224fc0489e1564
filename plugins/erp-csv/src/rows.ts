import { csvLines } from '@paystream/csv-cells';
import { formatAmount, type LedgerEntryData } from '@paystream/plugin-sdk';

/** The journal's columns, in file order (documented in the README). */
export const COLUMNS = [
  'entry_id',
  'event_id',
  'date',
  'account',
  'debit',
  'credit',
  'currency',
  'out_trade_no',
  'refund_no',
] as const;

const HK_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Hong_Kong',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Hong Kong calendar date (YYYY-MM-DD) of an instant: the day the entry belongs to. */
export function hongKongDate(iso: string): string {
  return HK_DATE.format(new Date(iso));
}

// The escaping (README "Cells that cannot become formulas, rows or fields") lives in
// @paystream/csv-cells: every CSV Paystream writes for people reads back the same way.
export { csvCell as journalCell, readCell } from '@paystream/csv-cells';

/** The header line, CRLF-terminated (RFC 4180). */
export const HEADER = csvLines([COLUMNS]);

/**
 * One CSV line per posting, CRLF-terminated, amounts as decimal strings in major units. Every cell
 * is escaped (`csvLines`): the ledger's own values (ids, dates, accounts, amounts) never hold what
 * the escaping changes, while order and refund numbers are the caller's and may.
 */
export function entryLines(d: LedgerEntryData): string {
  const date = hongKongDate(d.postedAt);
  return csvLines(
    d.postings.map((p) => {
      const amount = formatAmount(p.amountMinor, p.currency);
      return [
        d.entryId,
        d.eventId,
        date,
        p.account,
        p.side === 'debit' ? amount : '',
        p.side === 'credit' ? amount : '',
        p.currency,
        d.outTradeNo,
        d.refundNo ?? '',
      ];
    }),
  );
}
