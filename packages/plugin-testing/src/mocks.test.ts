import { coreServices, definePlugin } from '@paystream/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { lifecycle } from './lifecycle.js';
import {
  mockConfig,
  mockHttpClient,
  mockLogger,
  mockMetrics,
  mockPublisher,
  mockScheduler,
  mockUpstream,
} from './mocks.js';

const counting = definePlugin({
  id: 'counting',
  subscribes: { types: ['payment.succeeded'] },
  deps: { metrics: coreServices.metrics, logger: coreServices.logger },
  setup: ({ metrics }) => metrics.counter({ name: 'counting_total', help: 'h', labelNames: ['wallet'] }),
  async handle(event, { state, logger }) {
    state.inc({ wallet: event.data.wallet });
    logger.info({ order: event.data.outTradeNo }, 'counted');
  },
});

describe('mock services', () => {
  it('run a plugin without a host: setup, handle, then read the metrics and the log', async () => {
    const plugin = counting();
    const logger = mockLogger();
    const deps = { metrics: mockMetrics(), logger };
    const state = await plugin.spec.setup!(deps, {});
    const [created, succeeded] = lifecycle('O1', ['payment.created', 'payment.succeeded']);
    expect(created!.type).toBe('payment.created');
    const signal = new AbortController().signal;
    await plugin.spec.handle(succeeded!, {
      logger: logger.child({ event: succeeded!.id }),
      signal,
      attempt: 1,
      state,
      deps,
    });
    expect(await deps.metrics.registry.metrics()).toContain('counting_total{wallet="WECHATHK"} 1');
    expect(logger.lines).toEqual([{ level: 'info', fields: { event: 'O1.2', order: 'O1' }, msg: 'counted' }]);
  });

  it('metrics are created once per registry, as the host does', () => {
    const metrics = mockMetrics();
    const a = metrics.counter({ name: 'x_total', help: 'h' });
    expect(metrics.counter({ name: 'x_total', help: 'h' })).toBe(a);
  });

  it('the scheduler runs a job only when told', async () => {
    const scheduler = mockScheduler();
    let runs = 0;
    scheduler.every('tick', 1000, async () => void runs++);
    expect(runs).toBe(0);
    await scheduler.run('tick');
    expect(runs).toBe(1);
    await expect(scheduler.run('tock')).rejects.toThrow('no job named tock (scheduled: tick)');
  });

  it('the publisher, HTTP client, config and upstream keep and answer what the test set', async () => {
    const publisher = mockPublisher();
    const [event] = lifecycle('O2', ['payment.created']);
    await publisher.publish({} as never, 'ledger.entries.v1', [event!]);
    expect(publisher.published).toEqual([{ topic: 'ledger.entries.v1', event }]);

    const http = mockHttpClient(() => new Response('no', { status: 503 }));
    expect((await http.fetch('http://erp.test/x', { method: 'POST' })).status).toBe(503);
    expect(http.requests).toEqual([{ url: 'http://erp.test/x', init: { method: 'POST' } }]);

    const config = mockConfig({ ERP_URL: 'http://erp.test' });
    expect(config.get('ERP_URL')).toBe('http://erp.test');
    expect(config.dataDir).toContain('paystream-plugin-data-');

    const upstream = mockUpstream();
    expect(await upstream.queryOrder('O3')).toEqual({ outcome: 'not_found', outTradeNo: 'O3', code: '31' });
  });
});
