import { describe, expect, it } from 'vitest';
import { addedP99, alertWithin, extraPercent, halfCapacity, peakRssVerdict, verdictOf } from './targets.js';

describe('halfCapacity', () => {
  it('halves a capacity to whole calls a second, at least one', () => {
    expect(halfCapacity(1171.4)).toBe(585);
    expect(halfCapacity(1000)).toBe(500);
    expect(halfCapacity(1.5)).toBe(1);
  });

  it('refuses a capacity that was not measured', () => {
    expect(() => halfCapacity(Number.NaN)).toThrow(/no capacity/);
    expect(() => halfCapacity(0)).toThrow(/no capacity/);
  });
});

describe('verdicts', () => {
  it('is met only when every condition holds', () => {
    expect(verdictOf(true, true)).toBe('met');
    expect(verdictOf(true, false)).toBe('not met');
    expect(verdictOf()).toBe('met');
  });

  it('reads a CPU ratio as the percent more it costs', () => {
    expect(extraPercent(1.2)).toBe(20);
    expect(extraPercent(1.334)).toBe(33.4);
    expect(extraPercent(0.95)).toBe(-5);
  });

  it('judges the added p99 against 5 ms', () => {
    expect(addedP99(26.5, 22)).toEqual({ addedMs: 4.5, ok: true });
    expect(addedP99(30, 22)).toEqual({ addedMs: 8, ok: false });
  });

  it('needs every named peak RSS, each within 200 MB', () => {
    expect(peakRssVerdict({ a: 150, b: 200 })).toBe('met');
    expect(peakRssVerdict({ a: 150, b: 200.1 })).toBe('not met');
    expect(peakRssVerdict({ a: 150, b: undefined })).toBe('not met');
    expect(peakRssVerdict({})).toBe('not met');
  });

  it('says whether an alert p99 is within 2 s', () => {
    expect(alertWithin(1999)).toBe('within 2 s');
    expect(alertWithin(2001)).toBe('over 2 s');
    expect(alertWithin(Number.NaN)).toBe('over 2 s');
  });
});
