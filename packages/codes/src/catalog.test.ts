import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, describe as suite } from 'vitest';
import { compareWithAppendix, parseAppendix } from './appendix.js';
import { catalog, describe, entriesFor, isStatusCode, STATUS_CODES } from './catalog.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sharedAppendix = `${repoRoot}../shared/seed/upstream-status-codes.txt`;
const vendoredAppendix = `${repoRoot}packages/codes/seed/upstream-status-codes.txt`;

// The appendix as the aggregator published it, beside the repo; the vendored copy stands in only
// where the repo is used without ../shared, and must then be byte-identical.
const appendixPath = existsSync(sharedAppendix) ? sharedAppendix : vendoredAppendix;
const appendixText = readFileSync(appendixPath, 'utf8');
const appendix = parseAppendix(appendixText);

suite('catalog against the aggregator appendix', () => {
  it('reads the appendix: 63 entries, 62 distinct codes', () => {
    expect(appendix).toHaveLength(63);
    expect(new Set(appendix.map((e) => e.code)).size).toBe(62);
  });

  it('holds every code and every message of the appendix verbatim, and nothing invented', () => {
    expect(compareWithAppendix(appendix, catalog)).toEqual([]);
    expect(catalog.map((e) => e.code)).toEqual(appendix.map((e) => e.code));
    expect(STATUS_CODES).toHaveLength(62);
  });

  it('keeps the vendored copy identical to the shared appendix', () => {
    if (!existsSync(sharedAppendix)) return expect(readFileSync(vendoredAppendix, 'utf8')).toBe(appendixText);
    expect(readFileSync(vendoredAppendix, 'utf8')).toBe(readFileSync(sharedAppendix, 'utf8'));
  });

  it('notices one changed message and one removed code', () => {
    const changed = appendix.map((e) => (e.code === '64' ? { ...e, messageEn: `${e.messageEn}!` } : e));
    expect(compareWithAppendix(changed, catalog)).toContain(
      'missing or changed in catalog: 64 Basic account balance is insufficient, please recharge and try again!',
    );
    const removed = parseAppendix(appendixText.replace(/^80\s.*$/gm, ''));
    expect(removed).toHaveLength(62);
    expect(compareWithAppendix(removed, catalog).some((p) => p.startsWith('not in the appendix: 80'))).toBe(
      true,
    );
  });
});

suite('entries', () => {
  it('splits the codes that carry several meanings into variants', () => {
    const variantKeys = (code: string) => entriesFor(code)[0]?.variants?.map((v) => v.key);
    expect(variantKeys('24')).toHaveLength(3);
    expect(variantKeys('30')).toEqual(['WECHATCN', 'WECHATHK', 'ALIPAY']);
    expect(variantKeys('05')).toEqual(['REFUND_TRADE_NOT_EXIST', 'TRADE_NOT_EXIST']);
    expect(entriesFor('-99').map((e) => e.meaning)).toEqual(['system', 'duplicate']);
  });

  it('derives each variant from the appendix text, in order', () => {
    for (const entry of catalog.filter((e) => e.variants)) {
      const squash = (s: string) => s.replace(/\s+/g, '');
      expect(squash(entry.variants!.map((v) => v.messageZh).join(''))).toBe(squash(entry.messageZh));
    }
  });

  it('alerts by default on 64 balance insufficient and 80 Alipay rate failure', () => {
    expect(describe('64')).toMatchObject({ category: 'balance', alert: true, retry: 'never' });
    expect(describe('80')).toMatchObject({ category: 'alipay_upstream', alert: true, retry: 'safe' });
    expect(describe('00')).toMatchObject({ category: 'success', alert: false, httpStatus: 200 });
  });

  it('gives every entry at least one operation, an HTTP error status unless success, and a known category', () => {
    for (const entry of catalog) {
      expect(entry.operations.length, entry.code).toBeGreaterThan(0);
      if (entry.code === '00') continue;
      expect(entry.httpStatus, entry.code).toBeGreaterThanOrEqual(400);
      expect(entry.category, entry.code).not.toBe('success');
    }
  });
});

suite('describe', () => {
  it('resolves -99 from the upstream message', () => {
    expect(describe('-99', { message: 'out_trade_no/refund_no must be unique' }).meaning).toBe('duplicate');
    expect(describe('-99', { message: 'out_trade_no/refund_no 必须唯一' }).meaning).toBe('duplicate');
    expect(describe('-99', { message: '系统错误' }).meaning).toBe('system');
  });

  it('resolves -99 from the operation when there is no message', () => {
    expect(describe('-99', { operation: 'query' })).toMatchObject({ meaning: 'system' });
    expect(describe('-99', { operation: 'query' }).ambiguous).toBeUndefined();
    expect(describe('-99', { operation: 'create' })).toMatchObject({ meaning: 'system', ambiguous: true });
  });

  it('describes an unknown code as unknown instead of throwing it away', () => {
    const entry = describe('77', { operation: 'refund', message: 'something new' });
    expect(entry).toMatchObject({ code: '77', known: false, category: 'unknown', retry: 'after_query' });
    expect(entry.messageEn).toBe('something new');
    expect(isStatusCode('77')).toBe(false);
    expect(isStatusCode('-99')).toBe(true);
  });

  it('keeps the code exactly as written', () => {
    expect(describe('00').code).toBe('00');
    expect(describe('-11').code).toBe('-11');
    expect(describe('0').known).toBe(false);
  });
});
