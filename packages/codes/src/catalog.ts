import { CATALOG_DATA } from './catalog-data.js';
import type { CatalogEntry, DescribeContext } from './types.js';

/** A status code exactly as the appendix writes it: "00", "-11", "64". */
export type StatusCode = (typeof CATALOG_DATA)[number]['code'];

/** Every entry of the appendix, in its order: 63 entries for 62 distinct codes. */
export const catalog: readonly CatalogEntry[] = Object.freeze(
  CATALOG_DATA.map((entry) => Object.freeze({ ...entry, known: true })),
);

/** The distinct codes, in appendix order. */
export const STATUS_CODES: readonly StatusCode[] = Object.freeze([
  ...new Set(CATALOG_DATA.map((entry) => entry.code)),
]);

const byCode = new Map<string, CatalogEntry[]>();
for (const entry of catalog) {
  const list = byCode.get(entry.code) ?? [];
  list.push(entry);
  byCode.set(entry.code, list);
}

/** True for a code the appendix lists. */
export function isStatusCode(code: string): code is StatusCode {
  return byCode.has(code);
}

/** All entries for a code (two for `-99`, none for an unknown code). */
export function entriesFor(code: string): readonly CatalogEntry[] {
  return byCode.get(code) ?? [];
}

/** The code meaning success. */
export const SUCCESS_CODE = '00' satisfies StatusCode;

// The duplicate meaning of -99 names the unique fields; nothing else that answers -99 does.
const DUPLICATE_HINT = /unique|唯一|duplicate|out_trade_no|refund_no/i;

/**
 * Describes an upstream code. `-99` means either a system error or a duplicate
 * out_trade_no/refund_no: the upstream message decides, else the operation (only create and
 * refund can collide), else the system meaning, flagged `ambiguous`. A code the appendix does not
 * list is described as unknown (retry only after a query, alerting), never thrown away.
 */
export function describe(code: string, context: DescribeContext = {}): CatalogEntry {
  const normalized = code.trim();
  const entries = byCode.get(normalized);
  if (!entries || entries.length === 0) return unknownEntry(normalized, context);
  if (entries.length === 1) return entries[0]!;
  const system = entries.find((e) => e.meaning === 'system')!;
  const duplicate = entries.find((e) => e.meaning === 'duplicate')!;
  if (context.message !== undefined && context.message.trim() !== '') {
    return DUPLICATE_HINT.test(context.message) ? duplicate : system;
  }
  if (context.operation && !duplicate.operations.includes(context.operation)) return system;
  return { ...system, ambiguous: true };
}

function unknownEntry(code: string, context: DescribeContext): CatalogEntry {
  return Object.freeze({
    code,
    known: false,
    messageZh: context.message ?? '未知状态码',
    messageEn: context.message ?? `Unknown upstream status code ${JSON.stringify(code)}`,
    category: 'unknown',
    operations: context.operation ? [context.operation] : [],
    retry: 'after_query',
    severity: 'error',
    httpStatus: 502,
    alert: true,
  });
}
