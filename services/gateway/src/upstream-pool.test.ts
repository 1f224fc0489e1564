// Pool saturation on /metrics: with one upstream connection and slow answers, the creates beyond
// the first wait for the connection, and the gauge shows them while they wait, then nothing.
import { waitFor } from '@paystream/bus/testing';
import { METRIC_UPSTREAM_POOL_CONNECTIONS, METRIC_UPSTREAM_POOL_QUEUED_REQUESTS } from '@paystream/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';

const CALLS = 4;

let h: Harness;
beforeAll(async () => {
  // The deadline covers the time a call waits in line, so it must outlast the whole line.
  h = await startHarness({
    transport: 'embedded',
    database: 'sqlite',
    upstreamConnections: 1,
    upstreamTimeoutMs: 30_000,
  });
});
afterAll(async () => {
  await h?.close();
});

/** One scrape of /metrics: the queued gauge and the connections by state. */
async function scrape() {
  const text = (await h.http.get('/metrics')).text;
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return {
    queued: value(METRIC_UPSTREAM_POOL_QUEUED_REQUESTS),
    busy: value(`${METRIC_UPSTREAM_POOL_CONNECTIONS}{state="busy"}`),
    idle: value(`${METRIC_UPSTREAM_POOL_CONNECTIONS}{state="idle"}`),
  };
}

describe('paystream_upstream_pool_queued_requests', () => {
  it('counts the creates waiting for the one connection while they wait, and reads 0 after', async () => {
    expect(await scrape()).toEqual({ queued: 0, busy: 0, idle: 0 });
    // Each create takes a while upstream: the line behind the first lasts several scrapes.
    await h.fault({ operation: 'create', delayMs: 1_500, times: CALLS });
    const creates = Array.from({ length: CALLS }, () => h.post('/v1/payments', createBody(h.nextNo('pool'))));
    const answered = Promise.all(creates.map((c) => c.then((res) => res.status)));
    const seen = await waitFor(
      'a scrape with every create but the first waiting for the connection',
      async () => {
        const s = await scrape();
        return s.queued === CALLS - 1 ? s : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    expect(seen).toEqual({ queued: CALLS - 1, busy: 1, idle: 0 });
    expect(await answered).toEqual(Array(CALLS).fill(201));
    expect(await scrape()).toEqual({ queued: 0, busy: 0, idle: 1 });
  }, 60_000);
});
