import { EVENT_TYPES } from '@paystream/events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { busMetrics, watchBacklog } from './metrics.js';

describe('bus metrics', () => {
  it('has paystream_events_published_total at 0 for every event type from the start', async () => {
    const registry = new Registry();
    busMetrics(registry);
    const values = (await registry.getSingleMetric('paystream_events_published_total')!.get()).values;
    expect(values.map((v) => [v.labels.type, v.value])).toEqual(EVENT_TYPES.map((t) => [t, 0]));
  });

  it('labels plugin events by the plugin id of a paystream.plugin.<id> group', async () => {
    const registry = new Registry();
    const m = busMetrics(registry);
    m.handled.inc({ plugin: 'paystream.plugin.accounting', type: 'payment.succeeded', outcome: 'ok' });
    m.handled.inc({ plugin: 'reporting', type: 'payment.succeeded', outcome: 'ok' });
    const text = await registry.metrics();
    expect(text).toContain(
      'paystream_plugin_events_total{plugin="accounting",type="payment.succeeded",outcome="ok"} 1',
    );
    expect(text).toContain(
      'paystream_plugin_events_total{plugin="reporting",type="payment.succeeded",outcome="ok"} 1',
    );
  });

  it('reads lag and dead letters per plugin when scraped, keeps the last value when a probe fails, and forgets a stopped group', async () => {
    const registry = new Registry();
    let lag = 7;
    let failing = false;
    const watch = watchBacklog(registry, 'paystream.plugin.alerting', {
      lag: async () => {
        if (failing) throw new Error('broker down');
        return lag;
      },
      deadLetters: async () => 2,
    });
    watchBacklog(registry, 'paystream.plugin.accounting', { lag: async () => 0, deadLetters: async () => 0 });
    let text = await registry.metrics();
    expect(text).toContain('paystream_plugin_consumer_lag{plugin="alerting"} 7');
    expect(text).toContain('paystream_plugin_dead_letters{plugin="alerting"} 2');
    expect(text).toContain('paystream_plugin_consumer_lag{plugin="accounting"} 0');
    lag = 3;
    failing = true;
    text = await registry.metrics();
    expect(text).toContain('paystream_plugin_consumer_lag{plugin="alerting"} 7');
    failing = false;
    expect(await registry.metrics()).toContain('paystream_plugin_consumer_lag{plugin="alerting"} 3');
    watch.stop();
    text = await registry.metrics();
    expect(text).not.toContain('plugin="alerting"');
    expect(text).toContain('paystream_plugin_consumer_lag{plugin="accounting"} 0');
  });
});
