import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { expect, it } from 'vitest';
import { orderEvents } from './order-events.js';
import { startTestHost } from './test-host.js';

const seen = definePlugin({
  id: 'seen',
  subscribes: { types: ['payment.created', 'payment.succeeded', 'refund.succeeded'] },
  deps: { metrics: coreServices.metrics },
  setup: ({ metrics }) => metrics.counter({ name: 'seen_total', help: 'h', labelNames: ['type'] }),
  async handle(event, { state }) {
    state.inc({ type: event.type });
  },
});

it('startTestHost runs a plugin on the embedded bus and SQLite, and publish waits for it', async () => {
  const t = await startTestHost({ plugins: [seen()] });
  try {
    await t.publish(orderEvents('T1', { refundMinor: 100, refundFailsFirst: true }));
    const metrics = await t.registry.metrics();
    expect(metrics).toContain('seen_total{type="payment.succeeded"} 1');
    expect(metrics).toContain('seen_total{type="refund.succeeded"} 1');
    const status = await t.request('GET', '/admin/plugins');
    expect(status.body.plugins).toMatchObject([{ id: 'seen', lag: 0 }]);
    const narrow = await t.request('GET', '/admin/plugins', { apiKey: t.apiKeyWith('ledger:read') });
    expect(narrow.status).toBe(403);
  } finally {
    await t.close();
  }
});
