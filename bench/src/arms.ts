// Runs arms against each other: in every round each arm runs once, in an order that rotates from
// round to round, so drift (a warming JIT, a growing database, a neighbour's load) falls on all
// arms alike. Each arm's figure is then the median over rounds.
import type { Caller } from './callers.js';
import type { BenchContext } from './context.js';
import { closedLoop, type LoadResult, openLoop } from './load.js';
import type { Service } from './processes.js';
import type { ArmRound } from './results.js';
import { median, round, summarize } from './stats.js';

export interface Arm {
  id: string;
  caller: Caller;
  /** The process whose CPU per call is reported (a gateway). */
  service?: Service;
  /** Scraped every second while the arm runs, as Prometheus would (telemetry-on arms). */
  scrapeUrl?: string;
  /** A running count (statements its database ran), read before and after the arm: per call. */
  statements?: () => Promise<number | undefined>;
}

export interface ArmSummary {
  rounds: ArmRound[];
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cpuUsPerCall?: number;
  statementsPerCall?: number;
  errors: number;
}

export async function alternateArms(
  ctx: BenchContext,
  label: string,
  arms: readonly Arm[],
  callers: number,
): Promise<Record<string, ArmSummary>> {
  const { seconds, warmupSeconds, rounds } = ctx.settings;
  const byArm = new Map<string, ArmRound[]>(arms.map((a) => [a.id, []]));
  for (let r = 0; r < rounds; r++) {
    for (const arm of rotated(arms, r)) {
      const cpu0 = arm.service?.cpuSeconds();
      const st0 = await arm.statements?.();
      const scraper = arm.scrapeUrl ? scrapeEverySecond(arm.scrapeUrl) : undefined;
      const result = await closedLoop({
        callers,
        seconds,
        warmupSeconds,
        call: (i) => arm.caller.create(`b${ctx.runId}-${label}-${arm.id}-${r}-${i}`),
      });
      await scraper?.stop();
      const cpu1 = arm.service?.cpuSeconds();
      const st1 = await arm.statements?.();
      const entry = roundEntry(r, result, result.total, cpu0, cpu1);
      if (st0 !== undefined && st1 !== undefined && result.total > 0)
        entry.statementsPerCall = round((st1 - st0) / result.total, 2);
      byArm.get(arm.id)!.push(entry);
      logRound(label, arm.id, entry);
    }
  }
  return summaries(byArm);
}

/** An arm of an open-loop comparison: a create sent on schedule, and the processes it costs. */
export interface OpenArm {
  id: string;
  /** One create of a new order (`i` counts the arm's calls in the round). */
  call: (outTradeNo: string, i: number) => Promise<void>;
  /** The processes whose CPU, summed, is divided by the creates they answered. */
  services: readonly Service[];
}

/**
 * Open-loop arms: in every round each arm, in rotating order, is offered `perSecond` creates a
 * second, first for the warm-up (not counted), then for the measured window. Latency runs from
 * each call's scheduled time; CPU per call is over the measured window only.
 */
export async function alternateOpenArms(
  ctx: BenchContext,
  label: string,
  arms: readonly OpenArm[],
  perSecond: number,
): Promise<Record<string, ArmSummary>> {
  const { seconds, warmupSeconds, rounds } = ctx.settings;
  const byArm = new Map<string, ArmRound[]>(arms.map((a) => [a.id, []]));
  const cpuOf = (arm: OpenArm) => arm.services.reduce((sum, s) => sum + s.cpuSeconds(), 0);
  for (let r = 0; r < rounds; r++) {
    for (const arm of rotated(arms, r)) {
      const prefix = `b${ctx.runId}-${label}-${arm.id}-${r}`;
      if (warmupSeconds > 0)
        await openLoop({ perSecond, seconds: warmupSeconds, call: (i) => arm.call(`${prefix}-w${i}`, i) });
      const cpu0 = arm.services.length ? cpuOf(arm) : undefined;
      const result = await openLoop({ perSecond, seconds, call: (i) => arm.call(`${prefix}-${i}`, i) });
      const cpu1 = arm.services.length ? cpuOf(arm) : undefined;
      const entry = roundEntry(r, result, result.count, cpu0, cpu1);
      byArm.get(arm.id)!.push(entry);
      logRound(label, arm.id, entry);
    }
  }
  return summaries(byArm);
}

function rotated<T>(arms: readonly T[], r: number): T[] {
  return arms.map((_, i) => arms[(i + r) % arms.length]!);
}

function roundEntry(
  r: number,
  result: LoadResult,
  calls: number,
  cpu0: number | undefined,
  cpu1: number | undefined,
): ArmRound {
  const lat = summarize(result.latenciesMs);
  return {
    round: r + 1,
    perSecond: round(result.perSecond, 1),
    count: result.count,
    errors: result.errors,
    ...(result.firstError ? { firstError: result.firstError } : {}),
    p50Ms: round(lat.p50, 2),
    p95Ms: round(lat.p95, 2),
    p99Ms: round(lat.p99, 2),
    ...(cpu0 !== undefined && cpu1 !== undefined && calls > 0
      ? { cpuUsPerCall: round(((cpu1 - cpu0) / calls) * 1e6, 0) }
      : {}),
  };
}

function logRound(label: string, id: string, entry: ArmRound): void {
  console.info(
    `  ${label} round ${entry.round} ${id}: ${entry.perSecond}/s p50 ${entry.p50Ms} ms p99 ${entry.p99Ms} ms` +
      `${entry.cpuUsPerCall !== undefined ? ` cpu ${entry.cpuUsPerCall} µs/call` : ''}` +
      `${entry.statementsPerCall !== undefined ? ` ${entry.statementsPerCall} statements/call` : ''}` +
      `${entry.errors ? ` ERRORS ${entry.errors}: ${entry.firstError}` : ''}`,
  );
}

function summaries(byArm: Map<string, ArmRound[]>): Record<string, ArmSummary> {
  return Object.fromEntries(
    [...byArm].map(([id, rs]) => {
      const cpu = rs.flatMap((x) => (x.cpuUsPerCall === undefined ? [] : [x.cpuUsPerCall]));
      const st = rs.flatMap((x) => (x.statementsPerCall === undefined ? [] : [x.statementsPerCall]));
      return [
        id,
        {
          rounds: rs,
          perSecond: round(median(rs.map((x) => x.perSecond)), 1),
          p50Ms: round(median(rs.map((x) => x.p50Ms)), 2),
          p95Ms: round(median(rs.map((x) => x.p95Ms)), 2),
          p99Ms: round(median(rs.map((x) => x.p99Ms)), 2),
          ...(cpu.length ? { cpuUsPerCall: round(median(cpu), 0) } : {}),
          ...(st.length ? { statementsPerCall: round(median(st), 2) } : {}),
          errors: rs.reduce((n, x) => n + x.errors, 0),
        },
      ];
    }),
  );
}

/** The median over rounds of a per-round ratio between two arms (each round's pair ran back to back). */
export function roundRatio(a: ArmSummary, b: ArmSummary, of: (x: ArmRound) => number): number {
  return round(median(a.rounds.map((x, i) => of(x) / of(b.rounds[i]!))), 3);
}

export function scrapeEverySecond(url: string): { stop(): Promise<void> } {
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    pending = fetch(url)
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}
