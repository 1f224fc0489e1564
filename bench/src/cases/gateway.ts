// Targets 1–5 (and the gateway's half of 8): creates through the gateway against creates straight
// at the aggregator, and the gateway against itself on another database or with telemetry on.
import { type Arm, type ArmSummary, alternateArms, roundRatio } from '../arms.js';
import { directCaller, gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { startOtlpReceiver } from '../otlp-receiver.js';
import { type TargetResult, verdictOf } from '../results.js';
import { startGatewayProcess, startPassThroughProcess, startSandboxProcess } from '../stack.js';
import { round } from '../stats.js';
import { profileGateway } from './profiles.js';

export interface GatewayRss {
  /** Peak RSS of each gateway process, MB, by the case it ran under. */
  byCase: Record<string, number>;
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });

/**
 * The pass-through's arm beside the direct one and the gateway's: how much of the gap the HTTP hop
 * alone takes (`pass-through.ts`), and what the gateway's guarantees cost on top of it.
 */
export function passThroughFigures(pass: ArmSummary, direct: ArmSummary, gateway: ArmSummary) {
  const ofDirect = roundRatio(pass, direct, (x) => x.perSecond);
  const gatewayOfPass = roundRatio(gateway, pass, (x) => x.perSecond);
  return {
    text:
      `bare pass-through ${ofDirect}× of direct (${fmt(pass.perSecond)} creates/s, ` +
      `${pass.cpuUsPerCall} µs CPU/create, p99 ${pass.p99Ms} ms), gateway ${gatewayOfPass}× of it`,
    figures: { ratioToDirect: ofDirect, gatewayToPassThrough: gatewayOfPass, arm: pass },
  };
}

/** Upstream instant, 32 callers: direct, gateway on SQLite, gateway on PostgreSQL (targets 1, 4). */
export async function instantUpstream(ctx: BenchContext, rss: GatewayRss): Promise<TargetResult[]> {
  const callers = 32;
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
  const arms: Arm[] = [
    { id: 'direct', caller: directCaller(sandbox.url) },
    { id: 'pass-through', caller: gatewayCaller(floor.url, callers), service: floor.service },
    { id: 'gateway-sqlite', caller: gatewayCaller(sqlite.url, callers), service: sqlite.service },
    { id: 'gateway-postgres', caller: gatewayCaller(postgres.url, callers), service: postgres.service },
  ];
  console.info('upstream instant, 32 callers (targets 1, 4)');
  const s = await alternateArms(ctx, 'instant', arms, callers);
  await Promise.all(arms.map((a) => a.caller.close()));
  rss.byCase['1'] = round(sqlite.service.peakRssMB(), 1);
  rss.byCase['4'] = round(postgres.service.peakRssMB(), 1);
  for (const p of [sqlite, postgres, floor]) await ctx.stop(p.service);
  const sqliteProfile = await profileGateway(ctx, sandbox.url, 'sqlite', callers);
  const postgresProfile = await profileGateway(ctx, sandbox.url, 'postgres', callers);
  await ctx.stop(sandbox.service);

  const direct = s.direct!;
  const gw = s['gateway-sqlite']!;
  const pgArm = s['gateway-postgres']!;
  const ratio1 = roundRatio(gw, direct, (x) => x.perSecond);
  const ratio4 = roundRatio(pgArm, gw, (x) => x.perSecond);
  const pass1 = passThroughFigures(s['pass-through']!, direct, gw);
  return [
    {
      id: 1,
      comparison: 'gateway vs direct creates, upstream instant, 32 callers',
      target: '≥ 0.45×',
      measured: `${ratio1}× (${fmt(gw.perSecond)} vs ${fmt(direct.perSecond)} creates/s; gateway CPU ${gw.cpuUsPerCall} µs/create); ${pass1.text}`,
      verdict: verdictOf(ratio1 >= 0.45 && gw.errors === 0 && direct.errors === 0),
      figures: { ratio: ratio1, direct, gateway: gw, passThrough: pass1.figures, profile: sqliteProfile },
    },
    {
      id: 4,
      comparison: 'gateway on PostgreSQL vs on SQLite, case 1',
      target: 'reported; PostgreSQL ≥ 0.5×',
      measured: `${ratio4}× (${fmt(pgArm.perSecond)} vs ${fmt(gw.perSecond)} creates/s; gateway CPU ${pgArm.cpuUsPerCall} vs ${gw.cpuUsPerCall} µs/create)`,
      verdict: verdictOf(ratio4 >= 0.5 && pgArm.errors === 0),
      figures: { ratio: ratio4, postgres: pgArm, sqlite: gw, profile: postgresProfile },
    },
  ];
}

/** Upstream 20 ms, 64 callers: direct, gateway, gateway with telemetry on (targets 2, 3, 5). */
export async function slowUpstream(ctx: BenchContext, rss: GatewayRss): Promise<TargetResult[]> {
  const callers = 64;
  const latencyMs = 20;
  const ideal = callers * (1000 / latencyMs);
  const sandbox = await startSandboxProcess(ctx, 'sandbox-20ms', latencyMs);
  const receiver = await startOtlpReceiver();
  const plain = await startGatewayProcess(ctx, {
    name: 'gw-20ms',
    upstreamUrl: sandbox.url,
    database: 'sqlite',
  });
  const traced = await startGatewayProcess(ctx, {
    name: 'gw-20ms-telemetry',
    upstreamUrl: sandbox.url,
    database: 'sqlite',
    otlpUrl: receiver.url,
  });
  const floor = await startPassThroughProcess(ctx, 'pass-through-20ms', sandbox.url);
  const arms: Arm[] = [
    { id: 'direct', caller: directCaller(sandbox.url) },
    { id: 'pass-through', caller: gatewayCaller(floor.url, callers), service: floor.service },
    { id: 'gateway', caller: gatewayCaller(plain.url, callers), service: plain.service },
    {
      id: 'gateway-telemetry',
      caller: gatewayCaller(traced.url, callers),
      service: traced.service,
      scrapeUrl: `${traced.url}/metrics`,
    },
  ];
  console.info('upstream 20 ms, 64 callers (targets 2, 3, 5)');
  const s = await alternateArms(ctx, 'slow', arms, callers);
  await Promise.all(arms.map((a) => a.caller.close()));
  rss.byCase['3'] = round(plain.service.peakRssMB(), 1);
  rss.byCase['5'] = round(traced.service.peakRssMB(), 1);
  for (const p of [plain, traced, floor]) await ctx.stop(p.service);
  // Stopped first, so the traced gateway's last batch of spans is in the count.
  const exported = receiver.counts();
  // Telemetry's cost is the difference between these two profiles (same load, one pass each).
  const offProfile = await profileGateway(ctx, sandbox.url, 'sqlite', callers, { tag: 'off' });
  const onProfile = await profileGateway(ctx, sandbox.url, 'sqlite', callers, {
    tag: 'telemetry',
    otlpUrl: receiver.url,
  });
  await ctx.stop(sandbox.service);
  await receiver.close();

  const direct = s.direct!;
  const gw = s.gateway!;
  const tel = s['gateway-telemetry']!;
  const ratio2 = round(direct.perSecond / ideal, 3);
  const ratio3 = roundRatio(gw, direct, (x) => x.perSecond);
  const addedP99 = round(gw.p99Ms - direct.p99Ms, 2);
  const pass3 = passThroughFigures(s['pass-through']!, direct, gw);
  const ratio5 = roundRatio(tel, gw, (x) => x.perSecond);
  const loss5 = round((1 - ratio5) * 100, 1);
  return [
    {
      id: 2,
      comparison: `direct creates, upstream ${latencyMs} ms, ${callers} callers, vs the ideal ${callers} ÷ ${latencyMs} ms`,
      target: '≥ 0.8×',
      measured: `${ratio2}× (${fmt(direct.perSecond)} of ${fmt(ideal)} creates/s; p50 ${direct.p50Ms} ms)`,
      verdict: verdictOf(ratio2 >= 0.8 && direct.errors === 0),
      figures: { ratio: ratio2, ideal, direct },
    },
    {
      id: 3,
      comparison: `gateway vs direct, upstream ${latencyMs} ms, ${callers} callers`,
      target: '≥ 0.9×; added p99 ≤ 10 ms',
      measured: `${ratio3}×, added p99 ${addedP99} ms (${fmt(gw.perSecond)} vs ${fmt(direct.perSecond)} creates/s; p99 ${gw.p99Ms} vs ${direct.p99Ms} ms); ${pass3.text}`,
      verdict: verdictOf(ratio3 >= 0.9 && addedP99 <= 10 && gw.errors === 0),
      figures: { ratio: ratio3, addedP99Ms: addedP99, direct, gateway: gw, passThrough: pass3.figures },
    },
    {
      id: 5,
      comparison: `telemetry on (OTLP to a local receiver, metrics scraped each second) vs off, case 3`,
      target: '≤ 10 % loss',
      measured: `${loss5} % loss (${fmt(tel.perSecond)} vs ${fmt(gw.perSecond)} creates/s; CPU ${tel.cpuUsPerCall} vs ${gw.cpuUsPerCall} µs/create; ${fmt(exported.spans)} spans exported)`,
      verdict: verdictOf(loss5 <= 10 && tel.errors === 0 && exported.spans > 0),
      figures: {
        ratio: ratio5,
        lossPercent: loss5,
        on: tel,
        off: gw,
        exported,
        profile: { on: onProfile, off: offProfile },
      },
    },
  ];
}
