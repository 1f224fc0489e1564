// Targets 1–5 (and the gateway's half of 8): creates through the gateway against creates straight
// at the aggregator, and the gateway against itself on another database or with telemetry on.
import { type Arm, type ArmSummary, alternateArms, roundRatio } from '../arms.js';
import { directCaller, gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { startOtlpReceiver } from '../otlp-receiver.js';
import { type TargetResult, verdictOf } from '../results.js';
import {
  type GatewayProcessOptions,
  type Started,
  startGatewayProcess,
  startPassThroughProcess,
  startSandboxProcess,
} from '../stack.js';
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

/** The processes of a case: the sandbox, the gateways on it (by arm id) and the bare pass-through. */
interface CaseProcesses<K extends string> {
  sandbox: Started;
  gateways: Record<K, Started>;
  floor: Started;
}

/** Starts a case's sandbox (`latencyMs`), then its gateways on it one by one, then the pass-through. */
async function startCase<K extends string>(
  ctx: BenchContext,
  tag: string,
  latencyMs: number,
  gateways: Record<K, Omit<GatewayProcessOptions, 'upstreamUrl'>>,
): Promise<CaseProcesses<K>> {
  const sandbox = await startSandboxProcess(ctx, `sandbox-${tag}`, latencyMs);
  const started = {} as Record<K, Started>;
  for (const [id, o] of Object.entries(gateways) as [K, Omit<GatewayProcessOptions, 'upstreamUrl'>][])
    started[id] = await startGatewayProcess(ctx, { ...o, upstreamUrl: sandbox.url });
  const floor = await startPassThroughProcess(ctx, `pass-through-${tag}`, sandbox.url);
  return { sandbox, gateways: started, floor };
}

/**
 * A case's arms: straight at the sandbox, through the bare pass-through, then through each gateway
 * (the `scraped` ones' metrics scraped as Prometheus would).
 */
function caseArms<K extends string>(p: CaseProcesses<K>, callers: number, scraped: readonly K[] = []): Arm[] {
  return [
    { id: 'direct', caller: directCaller(p.sandbox.url) },
    { id: 'pass-through', caller: gatewayCaller(p.floor.url, callers), service: p.floor.service },
    ...(Object.entries(p.gateways) as [K, Started][]).map(([id, g]) => ({
      id,
      caller: gatewayCaller(g.url, callers),
      service: g.service,
      ...(scraped.includes(id) ? { scrapeUrl: `${g.url}/metrics` } : {}),
    })),
  ];
}

/** Stops a case's gateways and its pass-through (the sandbox stays for the profiles). */
async function stopGateways(ctx: BenchContext, p: CaseProcesses<string>): Promise<void> {
  for (const g of [...Object.values<Started>(p.gateways), p.floor]) await ctx.stop(g.service);
}

/** Upstream instant, 32 callers: direct, gateway on SQLite, gateway on PostgreSQL (targets 1, 4). */
export async function instantUpstream(ctx: BenchContext, rss: GatewayRss): Promise<TargetResult[]> {
  const callers = 32;
  const p = await startCase(ctx, 'instant', 0, {
    'gateway-sqlite': { name: 'gw-instant-sqlite', database: 'sqlite' },
    'gateway-postgres': { name: 'gw-instant-postgres', database: 'postgres' },
  });
  const { sandbox } = p;
  const arms = caseArms(p, callers);
  console.info('upstream instant, 32 callers (targets 1, 4)');
  const s = await alternateArms(ctx, 'instant', arms, callers);
  await Promise.all(arms.map((a) => a.caller.close()));
  rss.byCase['1'] = round(p.gateways['gateway-sqlite'].service.peakRssMB(), 1);
  rss.byCase['4'] = round(p.gateways['gateway-postgres'].service.peakRssMB(), 1);
  await stopGateways(ctx, p);
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
  const receiver = await startOtlpReceiver();
  const p = await startCase(ctx, '20ms', latencyMs, {
    gateway: { name: 'gw-20ms', database: 'sqlite' },
    'gateway-telemetry': { name: 'gw-20ms-telemetry', database: 'sqlite', otlpUrl: receiver.url },
  });
  const { sandbox } = p;
  const arms = caseArms(p, callers, ['gateway-telemetry']);
  console.info('upstream 20 ms, 64 callers (targets 2, 3, 5)');
  const s = await alternateArms(ctx, 'slow', arms, callers);
  await Promise.all(arms.map((a) => a.caller.close()));
  rss.byCase['3'] = round(p.gateways.gateway.service.peakRssMB(), 1);
  rss.byCase['5'] = round(p.gateways['gateway-telemetry'].service.peakRssMB(), 1);
  await stopGateways(ctx, p);
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
