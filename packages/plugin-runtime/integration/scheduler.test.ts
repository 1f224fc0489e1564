import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { startTestHost, waitFor } from '@paystream/plugin-testing';
import { expect, it } from 'vitest';

it('never overlaps two runs of one scheduled job, however short the interval', async () => {
  let running = 0;
  let most = 0;
  let runs = 0;
  const slow = definePlugin({
    id: 'slow-job',
    subscribes: { types: ['payment.created'] },
    deps: { scheduler: coreServices.scheduler },
    setup({ scheduler }) {
      // Each run takes about ten intervals: without the guard, ten would be in flight at once.
      scheduler.every('slow', 5, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 50));
        running--;
        runs++;
      });
    },
    async handle() {},
  });
  const t = await startTestHost({ plugins: [slow()] });
  try {
    await waitFor('three runs of the job', () => runs >= 3);
    expect(most).toBe(1);
  } finally {
    await t.close();
  }
});
