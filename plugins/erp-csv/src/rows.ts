import { formatAmount, type LedgerEntryData } from '@paystream/plugin-sdk';
import { stringify } from 'csv-stringify/sync';

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

// Written as %XX (the UTF-8 bytes) wherever they occur: the separator, the quote, and every
// character a reader may take for a line break or a control (C0, DEL, C1, U+2028, U+2029). A cell
// is then one field to any reader, even one that splits lines on LF and fields on commas without
// looking at quotes; `%` itself is escaped so the encoding reads back exactly.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[%,"\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu;
// What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list: =, +, -, @, and
// tab and CR, which the escape above has already replaced); and the quote that marks a neutralised
// cell, so a cell that began with one reads back unchanged.
const FORMULA_START = /^[=+\-@']/;

/**
 * A value as its journal cell: unsafe characters percent-encoded, and a value a spreadsheet would
 * run as a formula (`=1+1`, `-1-1`, `@SUM(A1)`) prefixed with `'` so it shows as text (`'-1-1`).
 * Read back with {@link readCell}.
 */
export function journalCell(value: string): string {
  const escaped = value.replace(UNSAFE, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return FORMULA_START.test(escaped) ? `'${escaped}` : escaped;
}

/** The value a journal cell stands for (the inverse of {@link journalCell}). */
export function readCell(cell: string): string {
  return decodeURIComponent(cell.startsWith("'") ? cell.slice(1) : cell);
}

/** CSV options of every line: CRLF (RFC 4180), and a neutralised formula always quoted. */
const CSV = { record_delimiter: 'windows', quoted_match: /^'/ } as const;

/** The header line, CRLF-terminated (RFC 4180). */
export const HEADER = stringify([[...COLUMNS]], CSV);

/**
 * One CSV line per posting, CRLF-terminated, amounts as decimal strings in major units. Every cell
 * goes through {@link journalCell}: the ledger's own values (ids, dates, accounts, amounts) never
 * hold what it changes, while order and refund numbers are the caller's and may.
 */
export function entryLines(d: LedgerEntryData): string {
  const date = hongKongDate(d.postedAt);
  return stringify(
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
      ].map(journalCell);
    }),
    CSV,
  );
}
