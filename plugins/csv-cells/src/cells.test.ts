// The escaping read back by an RFC 4180 parser and by a naive reader (split on CRLF and commas):
// both see every hostile value as one cell, and readCell gives the value back.
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { csvCell, csvLines, readCell } from './cells.js';

const hostile = [
  '=1+1',
  '-1-1',
  '+SUM(A1)',
  '@cmd',
  "'quoted",
  'a,b',
  'say "hi"',
  'line\r\nbreak',
  'lf\nonly',
  '\ttab',
  '50%',
  'u\u2028v\u2029w',
  'del\u007fc1\u0085',
  '订单',
  '',
];

it('escapes exactly: percent-encoded unsafe characters, a quote before a formula start', () => {
  expect(csvCell('ORD-1')).toBe('ORD-1');
  expect(csvCell('-1-1')).toBe("'-1-1");
  expect(csvCell("'x")).toBe("''x");
  expect(csvCell('a,b"c')).toBe('a%2Cb%22c');
  expect(csvCell('\tx')).toBe('%09x');
  expect(csvCell('50%')).toBe('50%25');
  expect(csvCell('订单')).toBe('订单');
  for (const v of hostile) expect(readCell(csvCell(v))).toBe(v);
});

it('writes CRLF lines an RFC 4180 parser and a naive reader split into the same cells', () => {
  const rows = hostile.map((v, i) => [String(i), v, 'end']);
  const text = csvLines(rows);
  expect(text.endsWith('\r\n')).toBe(true);
  const rfc = parse(text, { relax_column_count: false }) as string[][];
  const naive = text
    .split('\r\n')
    .slice(0, -1)
    .map((line) => line.split(',').map((c) => (c.startsWith('"') ? c.slice(1, -1) : c)));
  expect(rfc).toEqual(naive);
  expect(rfc.map((r) => r.map(readCell))).toEqual(rows);
  // A neutralised formula is quoted, so a spreadsheet never evaluates it.
  expect(text).toContain(`"'-1-1"`);
});
