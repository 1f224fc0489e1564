import { resolve } from 'node:path';
import { startSandbox } from '@paystream/upstream-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCaller } from './callers.js';
import { BenchContext } from './context.js';
import { type Started, startPassThroughProcess } from './stack.js';

// The floor of targets 1 and 3 is only a floor if it does make the upstream call: run its built
// process against a sandbox and look for the order there.
describe('the pass-through process', () => {
  const ctx = new BenchContext(
    resolve(import.meta.dirname, '../..'),
    { seconds: 1, warmupSeconds: 0, rounds: 1, events: 2, cases: new Set(), profile: false },
    'unused:9092',
    false,
    'postgres://unused',
  );
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let floor: Started;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    floor = await startPassThroughProcess(ctx, 'pass-through-test', sandbox.url);
  });
  afterAll(async () => {
    await ctx.cleanup();
    await sandbox?.close();
  });

  it('answers a create as the gateway does (201), after the aggregator has the order', async () => {
    const caller = gatewayCaller(floor.url, 2);
    await caller.create('PT-1');
    await caller.close();
    expect(sandbox.state.orders.get('PT-1')?.amount).toBe(1234);
  });

  it('refuses a caller without the bench token', async () => {
    const res = await fetch(`${floor.url}/v1/payments`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});
