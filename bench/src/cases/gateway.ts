// Targets 1–4 and 8 (and the gateways' half of 9): creates through the gateway against the bare
// pass-through and straight at the aggregator, the gateway on PostgreSQL against SQLite, with
// telemetry on against off, and two gateways on one database against one.
import pg from 'pg';
import {
  type Arm,
  type ArmSummary,
  alternateArms,
  alternateOpenArms,
  type OpenArm,
  roundRatio,
} from '../arms.js';
import { directCaller, gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { closedLoop } from '../load.js';
import { startOtlpReceiver } from '../otlp-receiver.js';
import type { TargetResult } from '../results.js';
import {
  type GatewayProcessOptions,
  type Started,
  startGatewayProcess,
  startPassThroughProcess,
  startSandboxProcess,
} from '../stack.js';
import { median, round } from '../stats.js';
import { addedP99, extraPercent, TARGETS, verdictOf } from '../targets.js';
import { profileGateway } from './profiles.js';

export interface GatewayRss {
  /** Peak RSS of each gateway process, MB, by the target it ran under (a list: several per case). */
  byCase: Record<string, number[]>;
}

/** Creates/s of the gateway on each database, closed loop, upstream instant, 32 callers. */
export interface Capacity {
  sqlite: number;
  postgres: number;
  /** Where the figures come from: target 1's rounds, or a short probe when 1 did not run. */
  source: string;
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const CALLERS_INSTANT = 32;
const CALLERS_TELEMETRY = 64;
const SLOW_MS = 20;
/** Connections an open-loop caller may open (it sends whatever the answers do). */
const OPEN_CONNECTIONS = 128;

function peak(rss: GatewayRss, target: string, g: Started): void {
  rss.byCase[target] ??= [];
  rss.byCase[target].push(round(g.service.peakRssMB(), 1));
}

/**
 * Counts the statements a gateway's PostgreSQL database runs, from `pg_stat_statements`, when the
 * server loads it (shared_preload_libraries); undefined when it does not.
 */
async function statementCounter(databaseUrl: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT calls FROM pg_stat_statements LIMIT 1');
  } catch (err) {
    await db.end();
    return { available: false as const, reason: (err as Error).message };
  }
  return {
    available: true as const,
    read: async () => {
      const r = await db.query<{ n: string }>(
        `SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return Number(r.rows[0]!.n);
    },
    close: () => db.end(),
  };
}

/**
 * Upstream instant, 32 callers, closed loop: direct, the bare pass-through, the gateway on SQLite
 * and on PostgreSQL, alternating (targets 1 and 2). Also the capacity targets 3 and 8 halve.
 */
export async function instantUpstream(
  ctx: BenchContext,
  rss: GatewayRss,
): Promise<{ targets: TargetResult[]; capacity: Capacity }> {
  const sandbox = await startSandboxProcess(ctx, 'sandbox-instant', 0);
  const sqlite = await startGatewayProcess(ctx, {
    name: 'gw-instant-sqlite',
    upstreamUrl: sandbox.url,
    database: 'sqlite',
  });
  const postgres = await startGatewayProcess(ctx, {
    name: 'gw-instant-postgres',
    upstreamUrl: sandbox.url,
    database: 'postgres',
  });
  const floor = await startPassThroughProcess(ctx, 'pass-through-instant', sandbox.url);
  const counter = await statementCounter(postgres.databaseUrl!);
  const arms: Arm[] = [
    { id: 'direct', caller: directCaller(sandbox.url) },
    {
      id: 'pass-through',
      caller: gatewayCaller(floor.url, CALLERS_INSTANT),
      service: floor.service,
    },
    {
      id: 'gateway-sqlite',
      caller: gatewayCaller(sqlite.url, CALLERS_INSTANT),
      service: sqlite.service,
    },
    {
      id: 'gateway-postgres',
      caller: gatewayCaller(postgres.url, CALLERS_INSTANT),
      service: postgres.service,
      ...(counter.available ? { statements: counter.read } : {}),
    },
  ];
  console.info('upstream instant, 32 callers (targets 1, 2)');
  let s: Record<string, ArmSummary>;
  try {
    s = await alternateArms(ctx, 'instant', arms, CALLERS_INSTANT);
  } finally {
    await Promise.all(arms.map((a) => a.caller.close()));
    if (counter.available) await counter.close();
  }
  peak(rss, '1', sqlite);
  peak(rss, '2', postgres);
  for (const g of [sqlite, postgres, floor]) await ctx.stop(g.service);
  const sqliteProfile = await profileGateway(ctx, sandbox.url, 'sqlite', CALLERS_INSTANT);
  const postgresProfile = await profileGateway(ctx, sandbox.url, 'postgres', CALLERS_INSTANT);
  await ctx.stop(sandbox.service);

  const direct = s.direct!;
  const pass = s['pass-through']!;
  const gw = s['gateway-sqlite']!;
  const pgArm = s['gateway-postgres']!;
  const ofDirect = {
    passThrough: roundRatio(pass, direct, (x) => x.perSecond),
    gatewaySqlite: roundRatio(gw, direct, (x) => x.perSecond),
    gatewayPostgres: roundRatio(pgArm, direct, (x) => x.perSecond),
  };
  const ratio1 = roundRatio(gw, pass, (x) => x.perSecond);
  const ratio2 = roundRatio(pgArm, gw, (x) => x.perSecond);
  const statements =
    pgArm.statementsPerCall !== undefined
      ? `${pgArm.statementsPerCall} statements per create (pg_stat_statements)`
      : "round trips per create: not counted here (the server does not load pg_stat_statements); the gateway's round-trip test counts them";
  return {
    capacity: { sqlite: gw.perSecond, postgres: pgArm.perSecond, source: "target 1's rounds" },
    targets: [
      {
        id: 1,
        comparison: 'gateway on SQLite vs the bare pass-through, creates/s, upstream instant, 32 callers',
        target: `≥ ${TARGETS.gatewayOfPassThrough}×`,
        measured:
          `${ratio1}× (${fmt(gw.perSecond)} vs ${fmt(pass.perSecond)} creates/s; CPU ${gw.cpuUsPerCall} vs ${pass.cpuUsPerCall} µs/create); ` +
          `of direct (${fmt(direct.perSecond)} creates/s): pass-through ${ofDirect.passThrough}×, gateway ${ofDirect.gatewaySqlite}×, gateway on PostgreSQL ${ofDirect.gatewayPostgres}×`,
        verdict: verdictOf(
          ratio1 >= TARGETS.gatewayOfPassThrough,
          gw.errors === 0,
          pass.errors === 0,
          direct.errors === 0,
        ),
        figures: { ratio: ratio1, ofDirect, direct, passThrough: pass, gateway: gw, profile: sqliteProfile },
      },
      {
        id: 2,
        comparison: 'gateway on PostgreSQL vs on SQLite, creates/s, as 1 in the same rounds',
        target: `≥ ${TARGETS.postgresOfSqlite}×`,
        measured: `${ratio2}× (${fmt(pgArm.perSecond)} vs ${fmt(gw.perSecond)} creates/s; CPU ${pgArm.cpuUsPerCall} vs ${gw.cpuUsPerCall} µs/create); ${statements}`,
        verdict: verdictOf(ratio2 >= TARGETS.postgresOfSqlite, pgArm.errors === 0),
        figures: {
          ratio: ratio2,
          postgres: pgArm,
          sqlite: gw,
          statementsPerCreate: pgArm.statementsPerCall ?? null,
          ...(counter.available ? {} : { statementsNotCounted: counter.reason }),
          profile: postgresProfile,
        },
      },
    ],
  };
}

/**
 * The capacity targets 3 and 8 halve when target 1 did not run: one short closed-loop pass per
 * database, upstream instant, 32 callers (as in 1, without the alternation).
 */
export async function probeCapacity(ctx: BenchContext): Promise<Capacity> {
  const sandbox = await startSandboxProcess(ctx, 'sandbox-probe', 0);
  const out: Record<'sqlite' | 'postgres', number> = { sqlite: 0, postgres: 0 };
  try {
    for (const database of ['sqlite', 'postgres'] as const) {
      const gw = await startGatewayProcess(ctx, {
        name: `gw-probe-${database}`,
        upstreamUrl: sandbox.url,
        database,
      });
      const caller = gatewayCaller(gw.url, CALLERS_INSTANT);
      try {
        const r = await closedLoop({
          callers: CALLERS_INSTANT,
          seconds: ctx.settings.seconds,
          warmupSeconds: ctx.settings.warmupSeconds,
          call: (i) => caller.create(`b${ctx.runId}-probe-${database}-${i}`),
        });
        out[database] = round(r.perSecond, 1);
      } finally {
        await caller.close();
        await ctx.stop(gw.service);
      }
    }
  } finally {
    await ctx.stop(sandbox.service);
  }
  console.info(`  capacity probe: SQLite ${out.sqlite}, PostgreSQL ${out.postgres} creates/s`);
  return { ...out, source: 'a capacity probe (target 1 did not run)' };
}

/**
 * Target 3: upstream 20 ms, open loop at half the SQLite gateway's capacity, the same rate for
 * every arm: the gateway's p99 against the pass-through's (direct beside them).
 */
export async function openLoopLatency(
  ctx: BenchContext,
  rss: GatewayRss,
  rate: number,
  capacity: Capacity,
): Promise<TargetResult> {
  const sandbox = await startSandboxProcess(ctx, 'sandbox-open', SLOW_MS);
  const gw = await startGatewayProcess(ctx, {
    name: 'gw-open',
    upstreamUrl: sandbox.url,
    database: 'sqlite',
  });
  const floor = await startPassThroughProcess(ctx, 'pass-through-open', sandbox.url);
  const callers = {
    direct: directCaller(sandbox.url),
    pass: gatewayCaller(floor.url, OPEN_CONNECTIONS),
    gateway: gatewayCaller(gw.url, OPEN_CONNECTIONS),
  };
  const arms: OpenArm[] = [
    { id: 'direct', call: (no) => callers.direct.create(no), services: [] },
    { id: 'pass-through', call: (no) => callers.pass.create(no), services: [floor.service] },
    { id: 'gateway', call: (no) => callers.gateway.create(no), services: [gw.service] },
  ];
  console.info(`upstream ${SLOW_MS} ms, open loop at ${rate} creates/s (target 3)`);
  let s: Record<string, ArmSummary>;
  try {
    s = await alternateOpenArms(ctx, 'open', arms, rate);
  } finally {
    await Promise.all(Object.values(callers).map((c) => c.close()));
  }
  peak(rss, '3', gw);
  for (const p of [gw, floor, sandbox]) await ctx.stop(p.service);

  const g = s.gateway!;
  const pass = s['pass-through']!;
  const direct = s.direct!;
  const perRound = g.rounds.map((x, i) => addedP99(x.p99Ms, pass.rounds[i]!.p99Ms).addedMs);
  const added = round(median(perRound), 2);
  const pct = (a: ArmSummary) => `${a.p50Ms}/${a.p95Ms}/${a.p99Ms}`;
  return {
    id: 3,
    comparison: `gateway vs the bare pass-through, upstream ${SLOW_MS} ms, open loop at half the SQLite gateway's capacity (latency from each call's scheduled time)`,
    target: `p99 ≤ pass-through p99 + ${TARGETS.addedP99Ms} ms`,
    measured:
      `added p99 ${added} ms at ${fmt(rate)} creates/s; p50/p95/p99 gateway ${pct(g)} ms, pass-through ${pct(pass)} ms, ` +
      `direct ${pct(direct)} ms (rate = ½ × ${fmt(capacity.sqlite)} creates/s from ${capacity.source})`,
    verdict: verdictOf(
      added <= TARGETS.addedP99Ms,
      g.errors === 0,
      pass.errors === 0,
      g.perSecond >= rate * 0.95,
    ),
    figures: {
      perSecond: rate,
      capacity,
      addedP99Ms: added,
      addedP99MsPerRound: perRound,
      gateway: g,
      passThrough: pass,
      direct,
    },
  };
}

/**
 * Target 4: upstream 20 ms, 64 callers, closed loop: the gateway with telemetry on (OTLP to a
 * receiver in this process, every call sampled, /metrics scraped each second) against without.
 * The figure is CPU per create, from /proc.
 */
export async function telemetryCost(ctx: BenchContext, rss: GatewayRss): Promise<TargetResult> {
  const receiver = await startOtlpReceiver();
  const sandbox = await startSandboxProcess(ctx, 'sandbox-telemetry', SLOW_MS);
  const gateways: Record<'off' | 'on', Omit<GatewayProcessOptions, 'upstreamUrl'>> = {
    off: { name: 'gw-telemetry-off', database: 'sqlite' },
    on: { name: 'gw-telemetry-on', database: 'sqlite', otlpUrl: receiver.url },
  };
  const off = await startGatewayProcess(ctx, { ...gateways.off, upstreamUrl: sandbox.url });
  const on = await startGatewayProcess(ctx, { ...gateways.on, upstreamUrl: sandbox.url });
  const arms: Arm[] = [
    { id: 'off', caller: gatewayCaller(off.url, CALLERS_TELEMETRY), service: off.service },
    {
      id: 'on',
      caller: gatewayCaller(on.url, CALLERS_TELEMETRY),
      service: on.service,
      scrapeUrl: `${on.url}/metrics`,
    },
  ];
  console.info(`telemetry on vs off, upstream ${SLOW_MS} ms, ${CALLERS_TELEMETRY} callers (target 4)`);
  let s: Record<string, ArmSummary>;
  try {
    s = await alternateArms(ctx, 'telemetry', arms, CALLERS_TELEMETRY);
  } finally {
    await Promise.all(arms.map((a) => a.caller.close()));
  }
  peak(rss, '4', off);
  peak(rss, '4', on);
  for (const g of [off, on]) await ctx.stop(g.service);
  // Stopped first, so the traced gateway's last batch of spans is in the count.
  const exported = receiver.counts();
  const offProfile = await profileGateway(ctx, sandbox.url, 'sqlite', CALLERS_TELEMETRY, { tag: 'off' });
  const onProfile = await profileGateway(ctx, sandbox.url, 'sqlite', CALLERS_TELEMETRY, {
    tag: 'telemetry',
    otlpUrl: receiver.url,
  });
  await ctx.stop(sandbox.service);
  await receiver.close();

  const tOff = s.off!;
  const tOn = s.on!;
  const cpuRatio = roundRatio(tOn, tOff, (x) => x.cpuUsPerCall ?? Number.NaN);
  const extra = extraPercent(cpuRatio);
  const throughput = roundRatio(tOn, tOff, (x) => x.perSecond);
  return {
    id: 4,
    comparison: `telemetry on (OTLP to a local receiver, every call sampled, /metrics scraped each second) vs off, CPU per create, upstream ${SLOW_MS} ms, ${CALLERS_TELEMETRY} callers`,
    target: `≤ ${TARGETS.telemetryCpuPercent} % more CPU per create`,
    measured:
      `${extra} % more (${tOn.cpuUsPerCall} vs ${tOff.cpuUsPerCall} µs/create); ` +
      `throughput ${throughput}× (${fmt(tOn.perSecond)} vs ${fmt(tOff.perSecond)} creates/s); ${fmt(exported.spans)} spans exported`,
    verdict: verdictOf(
      extra <= TARGETS.telemetryCpuPercent,
      tOn.errors === 0,
      tOff.errors === 0,
      exported.spans > 0,
    ),
    figures: {
      cpuRatio,
      extraCpuPercent: extra,
      throughputRatio: throughput,
      on: tOn,
      off: tOff,
      exported,
      profile: { on: onProfile, off: offProfile },
    },
  };
}

/**
 * Target 8: two gateways on one PostgreSQL database, offered together the rate one gateway is
 * offered alone (open loop, calls alternating between the two), upstream 20 ms: the CPU of both
 * per create against one gateway's.
 */
export async function twoGateways(
  ctx: BenchContext,
  rss: GatewayRss,
  rate: number,
  capacity: Capacity,
): Promise<TargetResult> {
  const sandbox = await startSandboxProcess(ctx, 'sandbox-two', SLOW_MS);
  const one = await startGatewayProcess(ctx, {
    name: 'gw-one',
    upstreamUrl: sandbox.url,
    database: 'postgres',
  });
  const shared = await ctx.createDatabase('gw_two');
  const twoA = await startGatewayProcess(ctx, {
    name: 'gw-two-a',
    upstreamUrl: sandbox.url,
    database: 'postgres',
    databaseUrl: shared,
  });
  const twoB = await startGatewayProcess(ctx, {
    name: 'gw-two-b',
    upstreamUrl: sandbox.url,
    database: 'postgres',
    databaseUrl: shared,
  });
  const callers = {
    one: gatewayCaller(one.url, OPEN_CONNECTIONS),
    a: gatewayCaller(twoA.url, OPEN_CONNECTIONS / 2),
    b: gatewayCaller(twoB.url, OPEN_CONNECTIONS / 2),
  };
  const arms: OpenArm[] = [
    { id: 'one', call: (no) => callers.one.create(no), services: [one.service] },
    {
      id: 'two',
      call: (no, i) => (i % 2 === 0 ? callers.a : callers.b).create(no),
      services: [twoA.service, twoB.service],
    },
  ];
  console.info(`two gateways on one PostgreSQL vs one, open loop at ${rate} creates/s in all (target 8)`);
  let s: Record<string, ArmSummary>;
  try {
    s = await alternateOpenArms(ctx, 'two', arms, rate);
  } finally {
    await Promise.all(Object.values(callers).map((c) => c.close()));
  }
  for (const g of [one, twoA, twoB]) peak(rss, '8', g);
  for (const p of [one, twoA, twoB, sandbox]) await ctx.stop(p.service);

  const o = s.one!;
  const t = s.two!;
  const ratio = roundRatio(t, o, (x) => x.cpuUsPerCall ?? Number.NaN);
  return {
    id: 8,
    comparison: `two gateways on one PostgreSQL vs one, the same offered load (open loop, split across the two), upstream ${SLOW_MS} ms`,
    target: `CPU per create ≤ ${TARGETS.twoGatewaysCpu}× one gateway's`,
    measured:
      `${ratio}× (${t.cpuUsPerCall} vs ${o.cpuUsPerCall} µs/create, both gateways' CPU summed) at ${fmt(rate)} creates/s; ` +
      `p99 ${t.p99Ms} vs ${o.p99Ms} ms (rate = ½ × ${fmt(capacity.postgres)} creates/s of the gateway on PostgreSQL, ${capacity.source})`,
    verdict: verdictOf(ratio <= TARGETS.twoGatewaysCpu, o.errors === 0, t.errors === 0),
    figures: { perSecond: rate, capacity, cpuRatio: ratio, one: o, two: t },
  };
}
