import {
  LABEL_GROUP,
  LABEL_OUTCOME,
  LABEL_PLUGIN,
  LABEL_REASON,
  LABEL_TYPE,
  METRIC_DEAD_LETTERS_TOTAL,
  METRIC_EVENTS_PUBLISHED_TOTAL,
  METRIC_OUTBOX_PENDING,
  METRIC_PLUGIN_EVENTS_TOTAL,
} from '@paystream/telemetry';
import { Counter, Gauge, type Metric, Registry } from 'prom-client';

/** The bus's metrics on one registry. */
export interface BusMetrics {
  published: Counter<typeof LABEL_TYPE>;
  handled: Counter<typeof LABEL_PLUGIN | typeof LABEL_TYPE | typeof LABEL_OUTCOME>;
  deadLetters: Counter<typeof LABEL_GROUP | typeof LABEL_REASON>;
  outboxPending: Gauge;
}

// The gateway, plugin host and relay share one registry in the all-in-one, and each may create a bus:
// reuse a metric that is already registered instead of failing on the duplicate name.
function once<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Returns (creating when absent) the bus metrics on `registry`. */
export function busMetrics(registry: Registry = new Registry()): BusMetrics {
  const registers = [registry];
  return {
    published: once(
      registry,
      METRIC_EVENTS_PUBLISHED_TOTAL,
      () =>
        new Counter({
          name: METRIC_EVENTS_PUBLISHED_TOTAL,
          help: 'Events put on the bus (Kafka or the embedded log), by type',
          labelNames: [LABEL_TYPE],
          registers,
        }),
    ),
    handled: once(
      registry,
      METRIC_PLUGIN_EVENTS_TOTAL,
      () =>
        new Counter({
          name: METRIC_PLUGIN_EVENTS_TOTAL,
          help: 'Events handled by plugins (consumer groups), by plugin, type and outcome',
          labelNames: [LABEL_PLUGIN, LABEL_TYPE, LABEL_OUTCOME],
          registers,
        }),
    ),
    deadLetters: once(
      registry,
      METRIC_DEAD_LETTERS_TOTAL,
      () =>
        new Counter({
          name: METRIC_DEAD_LETTERS_TOTAL,
          help: 'Messages sent to a dead-letter topic, by group and reason (handler or malformed)',
          labelNames: [LABEL_GROUP, LABEL_REASON],
          registers,
        }),
    ),
    outboxPending: once(
      registry,
      METRIC_OUTBOX_PENDING,
      () =>
        new Gauge({
          name: METRIC_OUTBOX_PENDING,
          help: 'Events written to the outbox and not yet published',
          registers,
        }),
    ),
  };
}
