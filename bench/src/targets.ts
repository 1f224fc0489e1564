// The targets' thresholds and the arithmetic of their verdicts, apart from the processes that
// produce the figures, so each rule can be tested on its own.

import type { Verdict } from './results.js';
import { round } from './stats.js';

export const TARGETS = {
  /** 1: gateway on SQLite ÷ bare pass-through, creates/s. */
  gatewayOfPassThrough: 0.5,
  /** 2: gateway on PostgreSQL ÷ gateway on SQLite, creates/s. */
  postgresOfSqlite: 0.7,
  /** 3: gateway p99 − pass-through p99, ms, at half the gateway's capacity. */
  addedP99Ms: 5,
  /** 4: extra CPU per create with telemetry on, percent. */
  telemetryCpuPercent: 20,
  /** 5: plugin host (ledger) ÷ floor consumer, events/s. */
  hostOfFloor: 0.5,
  /** 6: payment confirmed → journal entry committed, p99 ms. */
  entryP99Ms: 60,
  /** 7: refund answered 64 → alert at Alertmanager's receiver, p99 ms. */
  alertP99Ms: 2000,
  /** 8: CPU per create of two gateways ÷ one. */
  twoGatewaysCpu: 1.15,
  /** 9: peak RSS of each gateway and plugin host named, MB. */
  peakRssMB: 200,
} as const;

/** 'met' when every condition holds. */
export const verdictOf = (...ok: boolean[]): Verdict => (ok.every(Boolean) ? 'met' : 'not met');

/**
 * The open-loop rate of targets 3 and 8: half a gateway's capacity (its closed-loop creates/s),
 * whole calls a second, at least one.
 */
export function halfCapacity(capacityPerSecond: number): number {
  if (!Number.isFinite(capacityPerSecond) || capacityPerSecond <= 0)
    throw new Error(`no capacity to halve: ${capacityPerSecond} creates/s`);
  return Math.max(1, Math.floor(capacityPerSecond / 2));
}

/** How much more CPU per call `on` costs than `off`, percent (negative when it costs less). */
export function extraPercent(onOverOff: number): number {
  return round((onOverOff - 1) * 100, 1);
}

/** Target 3: the gateway's p99 within `TARGETS.addedP99Ms` of the pass-through's. */
export function addedP99(gatewayP99Ms: number, passThroughP99Ms: number) {
  const addedMs = round(gatewayP99Ms - passThroughP99Ms, 2);
  return { addedMs, ok: addedMs <= TARGETS.addedP99Ms };
}

/**
 * Target 9: every named process measured and at most the limit. `named` maps a label to its peak
 * (undefined when that process did not run).
 */
export function peakRssVerdict(named: Record<string, number | undefined>): Verdict {
  const peaks = Object.values(named);
  if (peaks.length === 0 || peaks.some((mb) => mb === undefined)) return 'not met';
  return verdictOf(...peaks.map((mb) => (mb as number) <= TARGETS.peakRssMB));
}

/** Target 7 is reported; its text says whether the p99 is within the limit. */
export function alertWithin(p99Ms: number): string {
  return Number.isFinite(p99Ms) && p99Ms <= TARGETS.alertP99Ms
    ? `within ${TARGETS.alertP99Ms / 1000} s`
    : `over ${TARGETS.alertP99Ms / 1000} s`;
}
