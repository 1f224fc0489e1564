import { expect, it } from 'vitest';
import * as semconv from './semconv.js';

it('names every metric in the paystream_ namespace in Prometheus form', () => {
  const metrics = Object.entries(semconv).filter(([k]) => k.startsWith('METRIC_'));
  expect(metrics.length).toBeGreaterThanOrEqual(5);
  for (const [, name] of metrics) expect(name).toMatch(/^paystream_[a-z_]+$/);
  expect(semconv.spanNames.publish(semconv.EVENTS_TOPIC)).toBe('publish payments.events.v1');
});

it('labels a plugin consumer group by its plugin id', () => {
  expect(semconv.pluginOfGroup('paystream.plugin.accounting')).toBe('accounting');
  expect(semconv.pluginOfGroup('reporting')).toBe('reporting');
});
