// Runs arms against each other: in every round each arm runs once, in an order that rotates from
// round to round, so drift (a warming JIT, a growing database, a neighbour's load) falls on all
// arms alike. Each arm's figure is then the median over rounds.
import type { Caller } from './callers.js';
import type { BenchContext } from './context.js';
import { closedLoop } from './load.js';
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
}

export interface ArmSummary {
  rounds: ArmRound[];
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerCall?: number;
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
    const order = arms.map((_, i) => arms[(i + r) % arms.length]!);
    for (const arm of order) {
      const cpu0 = arm.service?.cpuSeconds();
      const scraper = arm.scrapeUrl ? scrapeEverySecond(arm.scrapeUrl) : undefined;
      const result = await closedLoop({
        callers,
        seconds,
        warmupSeconds,
        call: (i) => arm.caller.create(`b${ctx.runId}-${label}-${arm.id}-${r}-${i}`),
      });
      await scraper?.stop();
      const cpu1 = arm.service?.cpuSeconds();
      const lat = summarize(result.latenciesMs);
      const entry: ArmRound = {
        round: r + 1,
        perSecond: round(result.perSecond, 1),
        count: result.count,
        errors: result.errors,
        ...(result.firstError ? { firstError: result.firstError } : {}),
        p50Ms: round(lat.p50, 2),
        p95Ms: round(lat.p95, 2),
        p99Ms: round(lat.p99, 2),
        ...(cpu0 !== undefined && cpu1 !== undefined && result.total > 0
          ? { cpuUsPerCall: round(((cpu1 - cpu0) / result.total) * 1e6, 0) }
          : {}),
      };
      byArm.get(arm.id)!.push(entry);
      console.info(
        `  ${label} round ${r + 1} ${arm.id}: ${entry.perSecond}/s p50 ${entry.p50Ms} ms p99 ${entry.p99Ms} ms` +
          `${entry.cpuUsPerCall !== undefined ? ` cpu ${entry.cpuUsPerCall} µs/call` : ''}` +
          `${entry.errors ? ` ERRORS ${entry.errors}: ${entry.firstError}` : ''}`,
      );
    }
  }
  return Object.fromEntries(
    [...byArm].map(([id, rs]) => {
      const cpu = rs.flatMap((x) => (x.cpuUsPerCall === undefined ? [] : [x.cpuUsPerCall]));
      return [
        id,
        {
          rounds: rs,
          perSecond: round(median(rs.map((x) => x.perSecond)), 1),
          p50Ms: round(median(rs.map((x) => x.p50Ms)), 2),
          p99Ms: round(median(rs.map((x) => x.p99Ms)), 2),
          ...(cpu.length ? { cpuUsPerCall: round(median(cpu), 0) } : {}),
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
