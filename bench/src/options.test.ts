import { describe, expect, it } from 'vitest';
import { benchPgAdminUrl } from './context.js';
import { wholeOption } from './options.js';

describe('command-line and environment settings', () => {
  it('takes a whole number at or above the minimum and names the option otherwise', () => {
    expect(wholeOption('seconds', '20', 1)).toBe(20);
    expect(wholeOption('warmup', '0', 0)).toBe(0);
    expect(() => wholeOption('seconds', '0', 1)).toThrow('--seconds must be a whole number ≥ 1');
    expect(() => wholeOption('callers', '2.5', 1)).toThrow('--callers');
    expect(() => wholeOption('repeat', undefined, 1)).toThrow('--repeat');
  });

  it("finds the bench's PostgreSQL server: its own URL, else the tests', else the local one", () => {
    expect(
      benchPgAdminUrl({ PAYSTREAM_BENCH_PG_URL: 'postgres://b/x', PAYSTREAM_TEST_PG_URL: 'postgres://t/x' }),
    ).toBe('postgres://b/x');
    expect(benchPgAdminUrl({ PAYSTREAM_TEST_PG_URL: 'postgres://t/x' })).toBe('postgres://t/x');
    expect(benchPgAdminUrl({})).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });
});
