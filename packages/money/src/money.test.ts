import { describe, expect, it } from 'vitest';
import { addMinor, formatAmount, minorUnits, parseAmount, subtractMinor, tryParseAmount } from './money.js';

describe('parseAmount', () => {
  it('parses major-unit decimals into integer minor units exactly', () => {
    expect(parseAmount('12.34', 'HKD')).toBe(1234);
    expect(parseAmount('0.02', 'CNY')).toBe(2);
    expect(parseAmount('60000', 'HKD')).toBe(6_000_000);
    expect(parseAmount('0.1', 'HKD')).toBe(10);
    // 0.29 * 100 is 28.999999999999996 in floating point; string arithmetic is exact.
    expect(parseAmount('0.29', 'HKD')).toBe(29);
    expect(parseAmount('1.10', 'HKD')).toBe(110);
  });

  it.each([
    ['-1.00', 'must be a decimal string'],
    ['1e3', 'must be a decimal string'],
    ['1,000.00', 'must be a decimal string'],
    ['', 'must be a decimal string'],
    [' 1.00', 'must be a decimal string'],
    ['01.00', 'must be a decimal string'],
    ['1.', 'must be a decimal string'],
    ['1.234', 'more than 2 decimal places for HKD'],
    ['9999999999999', 'must be a decimal string'],
  ])('rejects %j with a reason', (text, reason) => {
    const result = tryParseAmount(text, 'HKD');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('rejects numbers: money never arrives as a float', () => {
    expect(tryParseAmount(12.34, 'HKD')).toEqual({
      ok: false,
      reason: 'must be a decimal string such as "12.34"',
    });
    expect(() => parseAmount('1.999', 'CNY')).toThrow('amount has more than 2 decimal places for CNY');
  });
});

describe('formatAmount and arithmetic', () => {
  it('formats minor units with fixed decimals', () => {
    expect(formatAmount(1234, 'HKD')).toBe('12.34');
    expect(formatAmount(5, 'CNY')).toBe('0.05');
    expect(formatAmount(0, 'CNY')).toBe('0.00');
    expect(formatAmount(6_000_000, 'HKD')).toBe('60000.00');
  });

  it('round-trips every amount from 0.00 to 20.00', () => {
    for (let minor = 0; minor <= 2000; minor += 1) {
      expect(parseAmount(formatAmount(minor, 'HKD'), 'HKD')).toBe(minor);
    }
  });

  it('refuses fractional and negative minor units', () => {
    expect(() => minorUnits(1.5)).toThrow(RangeError);
    expect(() => minorUnits(-1)).toThrow(RangeError);
    expect(() => subtractMinor(100, 101)).toThrow(RangeError);
    expect(addMinor(100, 250, 1)).toBe(351);
    expect(subtractMinor(1000, 1)).toBe(999);
  });
});
