import { describe, expect, it } from 'vitest';
import { fromMinorUnits, toMinorUnits } from './money.js';

describe('money at the edge', () => {
  it('converts decimal strings to minor units and back, exactly', () => {
    expect(toMinorUnits('12.34', 'HKD')).toBe(1234);
    expect(toMinorUnits('0.1', 'CNY')).toBe(10);
    expect(fromMinorUnits(1234, 'HKD')).toBe('12.34');
    expect(fromMinorUnits(5n, 'HKD')).toBe('0.05');
    // The classic float trap stays exact.
    expect(toMinorUnits('0.30', 'HKD')).toBe(toMinorUnits('0.10', 'HKD') + toMinorUnits('0.20', 'HKD'));
    for (const minor of [0, 1, 99, 100, 123456789])
      expect(toMinorUnits(fromMinorUnits(minor, 'HKD'), 'HKD')).toBe(minor);
  });

  it('refuses what is not an amount, naming why', () => {
    expect(() => toMinorUnits('12.345', 'HKD')).toThrow(/decimal places/);
    expect(() => toMinorUnits('-1.00', 'HKD')).toThrow(RangeError);
    expect(() => toMinorUnits('1e3', 'HKD')).toThrow(RangeError);
    expect(() => fromMinorUnits(12.5, 'HKD')).toThrow(RangeError);
    expect(() => fromMinorUnits(-1, 'HKD')).toThrow(RangeError);
  });
});
