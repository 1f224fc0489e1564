// `make bench`: the performance targets of docs/benchmarks.md, measured on real processes, a real Kafka
// broker and PostgreSQL, each comparison's arms alternating in one run. Writes every figure to
// bench/results/latest.json and the verdict table into docs/benchmarks.md.
//
// Environment: KAFKA_BROKERS (scripts/bench.sh starts a broker when unset), BENCH_OWNS_BROKER=1
// when the broker is the run's own, PAYSTREAM_BENCH_PG_URL (default the test URL or
// postgres://postgres@127.0.0.1:5432/postgres), BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (2),
// BENCH_ROUNDS (3, at least 3), BENCH_EVENTS (100000), BENCH_CASES (all: 1,2,...,9), BENCH_PROFILE (1; 0 skips the
// unmeasured profiling passes). A run of
// some cases only writes bench/results/partial.json and leaves the docs alone.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumerThroughput, partitionScaling } from './cases/consumers.js';
import { instantUpstream, slowUpstream } from './cases/gateway.js';
import { answerToLedger } from './cases/latency.js';
import { BenchContext, type BenchSettings } from './context.js';
import { describeMachine } from './machine.js';
import { formatDocument, writeReport } from './report.js';
import { type TargetResult, verdictOf } from './results.js';

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
  process.env.PAYSTREAM_BENCH_PG_URL ??
    process.env.PAYSTREAM_TEST_PG_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres',
);
const began = performance.now();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void ctx.cleanup().finally(() => process.exit(130)));

const want = (...ids: number[]) => ids.some((id) => settings.cases.has(id));
const targets: TargetResult[] = [];
const gatewayRss = { byCase: {} as Record<string, number> };
const hostRss = { byCase: {} as Record<string, number[]> };
try {
  const machine = await describeMachine(ctx);
  if (want(1, 4, 8)) targets.push(...(await instantUpstream(ctx, gatewayRss)));
  if (want(2, 3, 5, 8)) targets.push(...(await slowUpstream(ctx, gatewayRss)));
  if (want(7)) targets.push(await answerToLedger(ctx));
  if (want(6, 8)) targets.push(await consumerThroughput(ctx, hostRss));
  if (want(9)) targets.push(await partitionScaling(ctx, hostRss));
  if (want(8)) targets.push(peakRss(gatewayRss.byCase, hostRss.byCase));

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

/** Target 8 names the gateway under cases 1 and 3 and the host under 6; other cases' peaks are reported. */
function peakRss(gateway: Record<string, number>, host: Record<string, number[]>): TargetResult {
  const named = [gateway['1'], gateway['3'], ...(host['6'] ?? [])];
  const measuredAll =
    gateway['1'] !== undefined && gateway['3'] !== undefined && (host['6']?.length ?? 0) > 0;
  const others = [
    ...['4', '5'].filter((c) => gateway[c] !== undefined).map((c) => `gateway ${gateway[c]} MB (case ${c})`),
    ...(host['9']?.length ? [`plugin host ${Math.max(...host['9'])} MB (case 9)`] : []),
  ];
  return {
    id: 8,
    comparison: 'peak RSS of the gateway and of the plugin host under 1, 3 and 6',
    target: '≤ 200 MB each',
    measured:
      `gateway ${gateway['1'] ?? '–'} MB (case 1), ${gateway['3'] ?? '–'} MB (case 3); ` +
      `plugin host ${host['6']?.length ? Math.max(...host['6']) : '–'} MB (case 6)` +
      (others.length ? `; outside the target: ${others.join(', ')}` : ''),
    verdict: verdictOf(measuredAll && named.every((mb) => mb !== undefined && mb <= 200)),
    figures: { gatewayPeakMB: gateway, pluginHostPeakMB: host },
  };
}
