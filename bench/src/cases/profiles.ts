// A profiling pass after a comparison's measured rounds: the same load on a fresh process, with
// the profiler recording only the window under load. It is never one of the measured arms (the
// inspector costs a few percent), so the figures stay clean and a "not met" still has a profile.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@paystream/bus/testing';
import { scrapeEverySecond } from '../arms.js';
import { gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { connectProfiler } from '../inspector.js';
import { closedLoop } from '../load.js';
import { type ProfileSummary, summarizeProfile } from '../profile.js';
import { startGatewayProcess } from '../stack.js';

export interface ProfileOptions {
  /** Telemetry on, exporting to this OTLP endpoint, `/metrics` scraped every second (case 5). */
  otlpUrl?: string;
  /** Tells this pass's files apart from another pass on the same database. */
  tag?: string;
}

export async function profileGateway(
  ctx: BenchContext,
  upstreamUrl: string,
  database: 'sqlite' | 'postgres',
  callers: number,
  opts: ProfileOptions = {},
): Promise<(ProfileSummary & { calls: number; busyUsPerCall: number }) | undefined> {
  if (!ctx.settings.profile) return undefined;
  const name = `gw-profile-${database}${opts.tag ? `-${opts.tag}` : ''}`;
  const inspectPort = await freePort();
  const gw = await startGatewayProcess(ctx, {
    name,
    upstreamUrl,
    database,
    inspectPort,
    ...(opts.otlpUrl ? { otlpUrl: opts.otlpUrl } : {}),
  });
  const profiler = await connectProfiler(inspectPort);
  const caller = gatewayCaller(gw.url, callers);
  const load = (seconds: number, tag: string) =>
    closedLoop({
      callers,
      seconds,
      warmupSeconds: 0,
      call: (i) => caller.create(`b${ctx.runId}-${name}-${tag}-${i}`),
    });
  const scraper = opts.otlpUrl ? scrapeEverySecond(`${gw.url}/metrics`) : undefined;
  try {
    await load(ctx.settings.warmupSeconds || 1, 'warm');
    await profiler.start();
    const { total } = await load(ctx.settings.seconds, 'profiled');
    const profile = await profiler.stop();
    // The whole profile, for a closer look (DevTools or speedscope open .cpuprofile files).
    writeFileSync(join(ctx.runDir, `${name}.cpuprofile`), JSON.stringify(profile));
    const summary = summarizeProfile(profile);
    // Sampled CPU per call: what the two passes of case 5 compare.
    return {
      ...summary,
      calls: total,
      busyUsPerCall: Math.round((summary.busyMs * 1000) / Math.max(total, 1)),
    };
  } finally {
    await scraper?.stop();
    profiler.close();
    await caller.close();
    await ctx.stop(gw.service);
  }
}
