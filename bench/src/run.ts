// `make bench`: the performance targets of docs/benchmarks.md, measured on real processes, a real Kafka
// broker and PostgreSQL, each comparison's arms alternating in one run. Writes every figure to
// bench/results/latest.json and the verdict table into docs/benchmarks.md.
//
// Environment: KAFKA_BROKERS (scripts/bench.sh starts a broker when unset), BENCH_OWNS_BROKER=1
// when the broker is the run's own, PAYSTREAM_BENCH_PG_URL (default the test URL or
// postgres://postgres@127.0.0.1:5432/postgres), BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (2),
// BENCH_ROUNDS (3, at least 3), BENCH_EVENTS (100000), BENCH_CASES (all: 1,2,...,9), BENCH_PROFILE
// (1; 0 skips the unmeasured profiling passes). A run of some targets only writes
// bench/results/partial.json and leaves the docs alone. Target 9 reads the peaks of the processes
// of 1, 3 and 5, so asking for it runs those too.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refundAlert } from './cases/alerts.js';
import { type ConsumerRss, consumerThroughput } from './cases/consumers.js';
import {
  type Capacity,
  type GatewayRss,
  instantUpstream,
  openLoopLatency,
  probeCapacity,
  telemetryCost,
  twoGateways,
} from './cases/gateway.js';
import { answerToLedger } from './cases/latency.js';
import { BenchContext, type BenchSettings, benchPgAdminUrl } from './context.js';
import { describeMachine } from './machine.js';
import { formatDocument, writeReport } from './report.js';
import type { TargetResult } from './results.js';
import { halfCapacity, peakRssVerdict, TARGETS } from './targets.js';

const ALL = [1, 2, 3, 4, 5, 6, 7, 8, 9];

function intFrom(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function settingsFromEnv(): BenchSettings {
  const cases = new Set(
    (process.env.BENCH_CASES ?? ALL.join(','))
      .split(',')
      .filter((x) => x.trim() !== '')
      .map((x) => {
        const n = Number(x);
        if (!ALL.includes(n)) throw new Error(`BENCH_CASES: ${x} is not a target (1–9)`);
        return n;
      }),
  );
  const events = intFrom('BENCH_EVENTS', 100_000, 2);
  if (events % 2 !== 0) throw new Error('BENCH_EVENTS must be even (each payment is two events)');
  return {
    seconds: intFrom('BENCH_SECONDS', 5, 1),
    warmupSeconds: intFrom('BENCH_WARMUP_SECONDS', 2, 0),
    rounds: intFrom('BENCH_ROUNDS', 3, 3),
    events,
    cases,
    profile: process.env.BENCH_PROFILE !== '0',
  };
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const settings = settingsFromEnv();
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  console.error('KAFKA_BROKERS is not set: run `make bench`, which starts a broker, or name one');
  process.exit(2);
}
const ctx = new BenchContext(
  root,
  settings,
  brokers,
  process.env.BENCH_OWNS_BROKER === '1',
  benchPgAdminUrl(),
);
const began = performance.now();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void ctx.cleanup().finally(() => process.exit(130)));

const want = (...ids: number[]) => ids.some((id) => settings.cases.has(id));
const targets: TargetResult[] = [];
const gatewayRss: GatewayRss = { byCase: {} };
const hostRss: ConsumerRss = { byCase: {} };
try {
  const machine = await describeMachine(ctx);
  let capacity: Capacity | undefined;
  if (want(1, 2, 9))
    await attempt([1, 2], async () => {
      const instant = await instantUpstream(ctx, gatewayRss);
      capacity = instant.capacity;
      return instant.targets;
    });
  if (want(3, 8, 9)) {
    await attempt([3, 8], async () => {
      capacity ??= await probeCapacity(ctx);
      return [];
    });
    const known = capacity;
    if (want(3, 9))
      await attempt([3], async () => [
        await openLoopLatency(ctx, gatewayRss, halfCapacity(need(known).sqlite), need(known)),
      ]);
    // Half the PostgreSQL gateway's capacity too, so that one gateway alone is not saturated either.
    if (want(8))
      await attempt([8], async () => {
        const c = need(known);
        return [
          await twoGateways(ctx, gatewayRss, Math.min(halfCapacity(c.sqlite), halfCapacity(c.postgres)), c),
        ];
      });
  }
  if (want(4)) await attempt([4], async () => [await telemetryCost(ctx, gatewayRss)]);
  if (want(6)) await attempt([6], async () => [await answerToLedger(ctx)]);
  if (want(7)) await attempt([7], async () => [await refundAlert(ctx)]);
  if (want(5, 9)) await attempt([5], async () => [await consumerThroughput(ctx, hostRss)]);
  if (want(9)) targets.push(peakRss(gatewayRss.byCase, hostRss.byCase));

  const full = ALL.every((id) => settings.cases.has(id));
  const report = {
    machine,
    settings: { ...settings, cases: [...settings.cases] },
    command: full ? 'make bench' : `BENCH_CASES=${[...settings.cases].join(',')} make bench`,
    commands: ctx.commands,
    durationSeconds: Math.round((performance.now() - began) / 1000),
    targets: targets.filter((t) => settings.cases.has(t.id)).sort((a, b) => a.id - b.id),
  };
  const json = join(root, 'bench/results', full ? 'latest.json' : 'partial.json');
  if (full) {
    writeReport(report, json, join(root, 'docs/benchmarks.md'));
    formatDocument(root, join(root, 'docs/benchmarks.md'), json);
  } else writeReport(report, json, join(ctx.runDir, 'partial.md'));
  console.info('');
  for (const t of report.targets)
    console.info(`${t.id}. ${t.verdict.padEnd(7)} ${t.measured}  [target ${t.target}]`);
  console.info(`\nfigures: ${json}${full ? '; table: docs/benchmarks.md' : ''}`);
} finally {
  await ctx.cleanup();
}

/**
 * Runs a case; when it fails, each of its targets is 'not met' with the reason, and the run goes
 * on to the next case (its processes are stopped at the end in any case).
 */
async function attempt(ids: number[], run: () => Promise<TargetResult[]>): Promise<void> {
  try {
    targets.push(...(await run()));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    console.error(`targets ${ids.join(', ')} failed: ${why}`);
    for (const id of ids.filter((i) => settings.cases.has(i)))
      targets.push({
        id,
        comparison: `target ${id}: its case failed before it had figures`,
        target: 'see docs/benchmarks.md',
        measured: `failed: ${why}`,
        verdict: 'not met',
        figures: { error: why },
      });
  }
}

function need(c: Capacity | undefined): Capacity {
  if (!c) throw new Error('no gateway capacity measured (target 1 and the probe failed)');
  return c;
}

/** Target 9 names the gateways of 1 and 3 and the plugin hosts of 5; other processes' peaks are reported. */
function peakRss(gateway: Record<string, number[]>, host: Record<string, number[]>): TargetResult {
  const most = (xs: number[] | undefined) => (xs?.length ? Math.max(...xs) : undefined);
  const named = {
    'gateway (1)': most(gateway['1']),
    'gateway (3)': most(gateway['3']),
    'plugin host (5)': most(host['5']),
  };
  const others = [
    ...['2', '4', '8'].flatMap((c) => (gateway[c]?.length ? [`gateway ${most(gateway[c])} MB (${c})`] : [])),
  ];
  return {
    id: 9,
    comparison: 'peak RSS (VmHWM) of the gateways of 1 and 3 and of the plugin hosts of 5',
    target: `≤ ${TARGETS.peakRssMB} MB each`,
    measured:
      Object.entries(named)
        .map(([k, mb]) => `${k} ${mb ?? '–'} MB`)
        .join(', ') + (others.length ? `; others: ${others.join(', ')}` : ''),
    verdict: peakRssVerdict(named),
    figures: { gatewayPeakMB: gateway, pluginHostPeakMB: host },
  };
}
