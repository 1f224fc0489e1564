// Aggregator faults: for a while the sandbox never answers (timeouts) or answers -99, on whatever
// API calls come (creates, queries, refunds, cancels, closes; a timed-out write still takes effect,
// as it may at a real aggregator). The sandbox's fault queue shows how many calls met the fault,
// and the gateways' paystream_upstream_requests_total how many they counted.
import type { FaultKind, FaultRecord } from '../history.js';
import { type FaultContext, sleep } from './context.js';

/** paystream_upstream_requests_total summed over the gateways, per code. */
async function upstreamCounts(ctx: FaultContext): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const g of ctx.fleet.gateways) {
    const text = await fetch(`${g.url}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    for (const line of text.split('\n')) {
      const m = /^paystream_upstream_requests_total\{.*code="([^"]*)".*\} (\d+(?:\.\d+)?)/.exec(line);
      if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[2]));
    }
  }
  return counts;
}

export async function sandboxFault(
  ctx: FaultContext,
  kind: Extract<FaultKind, 'sandbox-timeouts' | 'sandbox-99'>,
  durationMs: number,
  times = 60,
): Promise<FaultRecord> {
  const startedAt = Date.now();
  const code = kind === 'sandbox-timeouts' ? 'none' : '-99';
  const before = await upstreamCounts(ctx);
  await ctx.fleet.controls.fault(
    kind === 'sandbox-timeouts' ? { timeout: true, times } : { code: '-99', times },
  );
  ctx.log(
    `fault: the sandbox answers ${kind === 'sandbox-timeouts' ? 'nothing (timeouts)' : '-99'} for ${durationMs} ms`,
  );
  await sleep(durationMs);
  const left = (await ctx.fleet.faults()).reduce((n, f) => n + f.times, 0);
  await ctx.fleet.controls.clearFaults();
  const after = await upstreamCounts(ctx);
  const evidence: string[] = [];
  const met = times - left;
  if (met > 0)
    evidence.push(
      `${met} upstream calls met the sandbox's ${kind === 'sandbox-timeouts' ? 'timeout' : '-99'} fault`,
    );
  const counted = Math.max(0, (after.get(code) ?? 0) - (before.get(code) ?? 0));
  if (counted > 0)
    evidence.push(`the gateways counted ${counted} more paystream_upstream_requests_total{code="${code}"}`);
  ctx.log(`fault: the sandbox answers normally again (${met} calls met the fault)`);
  return { kind, startedAt, endedAt: Date.now(), evidence, crashes: [] };
}
