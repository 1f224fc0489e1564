import { describe, expect, it } from 'vitest';
import { median, percentileOfSorted, round, summarize } from './stats.js';

describe('stats', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('answers nearest-rank percentiles, always an observed value', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(s, 50)).toBe(50);
    expect(percentileOfSorted(s, 99)).toBe(99);
    expect(percentileOfSorted(s, 100)).toBe(100);
    expect(percentileOfSorted([1, 1000], 99)).toBe(1000);
    expect(percentileOfSorted([7], 1)).toBe(7);
  });

  it('summarizes unsorted samples', () => {
    expect(summarize([3, 1, 2, 10])).toEqual({ count: 4, p50: 2, p95: 10, p99: 10, max: 10 });
  });

  it('rounds for reports', () => {
    expect(round(0.123456)).toBe(0.123);
    expect(round(1234.5678, 1)).toBe(1234.6);
  });
});
