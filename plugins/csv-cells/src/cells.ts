// Cells of the CSV files Paystream hands to people (the ERP journal, the daily reconciliation).
// Order and refund numbers come from callers: a spreadsheet opening the file, or an import that
// splits lines on LF and fields on commas without reading quotes, must see each as plain text in
// its own cell.
import { stringify } from 'csv-stringify/sync';

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
 * A value as its CSV cell: unsafe characters percent-encoded, and a value a spreadsheet would run
 * as a formula (`=1+1`, `-1-1`, `@SUM(A1)`) prefixed with `'` so it shows as text (`'-1-1`).
 * Read back with {@link readCell}.
 */
export function csvCell(value: string): string {
  const escaped = value.replace(UNSAFE, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return FORMULA_START.test(escaped) ? `'${escaped}` : escaped;
}

/** The value a cell stands for (the inverse of {@link csvCell}). */
export function readCell(cell: string): string {
  return decodeURIComponent(cell.startsWith("'") ? cell.slice(1) : cell);
}

/** csv-stringify options of every line: CRLF (RFC 4180), and a neutralised formula always quoted. */
export const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /^'/ } as const;

/** RFC 4180 lines, CRLF-terminated, every value through {@link csvCell}. */
export function csvLines(rows: readonly (readonly string[])[]): string {
  return stringify(
    rows.map((row) => row.map(csvCell)),
    CSV_OPTIONS,
  );
}
