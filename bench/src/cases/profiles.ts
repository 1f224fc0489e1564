// A profiling pass after a comparison's measured rounds: the same load on a fresh process, with
// the profiler recording only the window under load. It is never one of the measured arms (the
// inspector costs a few percent), so the figures stay clean and a "not met" still has a profile.
import { freePort } from '@paystream/bus/testing';
import { gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { connectProfiler } from '../inspector.js';
import { closedLoop } from '../load.js';
import { type ProfileSummary, summarizeProfile } from '../profile.js';
import { startGatewayProcess } from '../stack.js';

export async function profileGateway(
  ctx: BenchContext,
  upstreamUrl: string,
  database: 'sqlite' | 'postgres',
  callers: number,
): Promise<ProfileSummary | undefined> {
  if (!ctx.settings.profile) return undefined;
  const name = `gw-profile-${database}`;
  const inspectPort = await freePort();
  const gw = await startGatewayProcess(ctx, { name, upstreamUrl, database, inspectPort });
  const profiler = await connectProfiler(inspectPort);
  const caller = gatewayCaller(gw.url, callers);
  const load = (seconds: number, tag: string) =>
    closedLoop({
      callers,
      seconds,
      warmupSeconds: 0,
      call: (i) => caller.create(`b${ctx.runId}-${name}-${tag}-${i}`),
    });
  try {
    await load(ctx.settings.warmupSeconds || 1, 'warm');
    await profiler.start();
    await load(ctx.settings.seconds, 'profiled');
    return summarizeProfile(await profiler.stop());
  } finally {
    profiler.close();
    await caller.close();
    await ctx.stop(gw.service);
  }
}
