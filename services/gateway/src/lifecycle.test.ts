import { afterAll, beforeAll, describe, it } from 'vitest';
import { type Harness, startHarness } from './__fixtures__/harness.js';
import { runLifecycle } from './__fixtures__/lifecycle.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});

describe('an order from creation to refund, on the embedded bus', () => {
  it('creates, is paid and notified, refunds part, and refuses a refund over the rest with 18', async () => {
    await runLifecycle(h);
  });
});
