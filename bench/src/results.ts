// What a run produces: one entry per performance target (docs/benchmarks.md lists them), with the
// figures behind its verdict.

export type Verdict = 'met' | 'not met' | 'reported' | 'not run';

export interface TargetResult {
  id: number;
  comparison: string;
  target: string;
  /** The headline figure, as the table shows it. */
  measured: string;
  verdict: Verdict;
  /** Every figure behind the headline: per-round values, medians, CPU, counts. */
  figures: Record<string, unknown>;
  /** Why a target is not met, or what to keep in mind reading it. */
  note?: string;
}

export interface ArmRound {
  round: number;
  perSecond: number;
  count: number;
  errors: number;
  firstError?: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** CPU of the process(es) under test per successful call, µs (gateway arms). */
  cpuUsPerCall?: number;
  /** Statements the arm's database ran per call (pg_stat_statements, when the server has it). */
  statementsPerCall?: number;
}
