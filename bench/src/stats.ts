// Order statistics of a benchmark's samples. Percentiles are nearest-rank (a value that was
// actually observed), so a p99 never interpolates between a fast call and a stalled one.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The nearest-rank percentile `p` (0–100] of already sorted values. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  return {
    count: s.length,
    p50: percentileOfSorted(s, 50),
    p95: percentileOfSorted(s, 95),
    p99: percentileOfSorted(s, 99),
    max: s.length ? s[s.length - 1]! : Number.NaN,
  };
}

/** Rounds for reports: 3 significant decimals at most, integers kept whole. */
export function round(x: number, decimals = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
