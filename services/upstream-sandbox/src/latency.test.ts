// SANDBOX_LATENCY_MS / `latencyMs`: every call's answer is held, its effect is not (what load tests
// and benchmarks need to stand in for an aggregator far away).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cents, type Harness, startHarness } from './__fixtures__/harness.js';

describe('steady answer latency', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ latencyMs: 1500 }, { timeoutMs: 10_000 });
  });
  afterAll(() => h.close());

  it('takes effect at once and answers after the latency', async () => {
    const outTradeNo = h.nextNo('slow');
    let answered = false;
    const sent = performance.now();
    const call = h.client
      .createPayment({
        outTradeNo,
        amount: cents(100),
        currency: 'HKD',
        wallet: 'WECHATHK',
        notifyUrl: 'http://127.0.0.1:9/n',
      })
      .finally(() => {
        answered = true;
      });
    while (!h.sandbox.state.orders.has(outTradeNo)) await new Promise((r) => setTimeout(r, 5));
    expect(answered).toBe(false);
    expect((await call).outcome).toBe('success');
    expect(performance.now() - sent).toBeGreaterThanOrEqual(1500);
  });
});
