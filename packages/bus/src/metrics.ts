import { EVENT_TYPES } from '@paystream/events';
import {
  LABEL_GROUP,
  LABEL_OUTCOME,
  LABEL_PLUGIN,
  LABEL_REASON,
  LABEL_TABLE,
  LABEL_TYPE,
  METRIC_DEAD_LETTERS_TOTAL,
  METRIC_EVENTS_PUBLISHED_TOTAL,
  METRIC_OUTBOX_PENDING,
  METRIC_PLUGIN_BATCH_FALLBACKS_TOTAL,
  METRIC_PLUGIN_CONSUMER_LAG,
  METRIC_PLUGIN_CONSUMER_RESTARTS_TOTAL,
  METRIC_PLUGIN_DEAD_LETTERS,
  METRIC_PLUGIN_EVENTS_TOTAL,
  pluginOfGroup,
} from '@paystream/telemetry';
import { Counter, Gauge, type Metric, Registry } from 'prom-client';

/** Labels of one handled event; `plugin` may be given as the consumer group, it is labelled by plugin id. */
export type HandledLabels = Record<typeof LABEL_PLUGIN | typeof LABEL_TYPE | typeof LABEL_OUTCOME, string>;

/** The bus's metrics on one registry. */
export interface BusMetrics {
  published: Counter<typeof LABEL_TYPE>;
  /** `paystream_plugin_events_total`: the `plugin` label is the plugin id of a `paystream.plugin.<id>` group. */
  handled: { inc(labels: HandledLabels, value?: number): void };
  deadLetters: Counter<typeof LABEL_GROUP | typeof LABEL_REASON>;
  /** `paystream_plugin_batch_fallbacks_total`: labelled by plugin id like `handled`. */
  batchFallbacks: { inc(group: string): void };
  /**
   * `paystream_plugin_consumer_restarts_total`: consumers kafkajs stopped for good and the bus
   * replaced (kafka/supervise.ts), labelled by plugin id like `handled`.
   */
  consumerRestarts: { inc(group: string): void };
  /** `paystream_outbox_pending{table}`: each outbox relay keeps its table's series. */
  outboxPending: Gauge<typeof LABEL_TABLE>;
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
    published: once(registry, METRIC_EVENTS_PUBLISHED_TOTAL, () => {
      const counter = new Counter({
        name: METRIC_EVENTS_PUBLISHED_TOTAL,
        help: 'Events put on the bus (Kafka or the embedded log), by type',
        labelNames: [LABEL_TYPE],
        registers,
      });
      // Every type at 0 from the start: a rule's increase() sees the first event of a type, which
      // it would take for the beginning of a new series otherwise.
      for (const type of EVENT_TYPES) counter.inc({ [LABEL_TYPE]: type }, 0);
      return counter;
    }),
    handled: pluginLabelled(
      once(
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
    batchFallbacks: perPlugin(
      once(
        registry,
        METRIC_PLUGIN_BATCH_FALLBACKS_TOTAL,
        () =>
          new Counter({
            name: METRIC_PLUGIN_BATCH_FALLBACKS_TOTAL,
            help: 'Runs of events a batch handler refused, then delivered one by one, by plugin',
            labelNames: [LABEL_PLUGIN],
            registers,
          }),
      ),
    ),
    consumerRestarts: perPlugin(
      once(
        registry,
        METRIC_PLUGIN_CONSUMER_RESTARTS_TOTAL,
        () =>
          new Counter({
            name: METRIC_PLUGIN_CONSUMER_RESTARTS_TOTAL,
            help: 'Kafka consumers stopped for good by kafkajs (no group coordinator) and started anew by the bus, by plugin',
            labelNames: [LABEL_PLUGIN],
            registers,
          }),
      ),
    ),
    outboxPending: once(
      registry,
      METRIC_OUTBOX_PENDING,
      () =>
        new Gauge({
          name: METRIC_OUTBOX_PENDING,
          help: 'Rows written to an outbox and not yet published, by outbox table',
          labelNames: [LABEL_TABLE],
          registers,
        }),
    ),
  };
}

// Dashboards and alerts group by plugin id (`accounting`), while the bus knows consumer groups
// (`paystream.plugin.accounting`): the label is mapped here, once, for every caller.
function pluginLabelled(counter: Counter<keyof HandledLabels>): BusMetrics['handled'] {
  return {
    inc: (labels, value = 1) => counter.inc({ ...labels, plugin: pluginOfGroup(labels.plugin) }, value),
  };
}

function perPlugin(counter: Counter<typeof LABEL_PLUGIN>): BusMetrics['batchFallbacks'] {
  return { inc: (group) => counter.inc({ [LABEL_PLUGIN]: pluginOfGroup(group) }) };
}

/** Where a group's backlog is read from: the transport's lag and its dead letters not yet redriven. */
export interface BacklogSource {
  /** Events of the topic the group has not committed yet (summed over partitions). */
  lag(group: string): Promise<number>;
  /** Dead letters of the group waiting for a redrive. */
  deadLetters(group: string): Promise<number>;
}

/** A group being watched, and how to stop. */
export interface BacklogWatch {
  stop(): void;
}

// A scrape must not hang on a slow broker: a group whose probe takes longer keeps its last value.
const BACKLOG_PROBE_TIMEOUT_MS = 2000;

interface BacklogGauges {
  groups: Map<string, BacklogSource>;
  gauges: Gauge[];
}

const watched = new WeakMap<Registry, BacklogGauges>();

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * Publishes `paystream_plugin_consumer_lag{plugin}` and `paystream_plugin_dead_letters{plugin}` for
 * a consumer group, read from `source` when Prometheus scrapes (no timer, no stale cache). The
 * plugin host watches each plugin's group `paystream.plugin.<id>`; the label is the plugin id.
 */
export function watchBacklog(registry: Registry, group: string, source: BacklogSource): BacklogWatch {
  let state = watched.get(registry);
  if (!state) {
    const groups = new Map<string, BacklogSource>();
    const gauges: Gauge[] = [];
    state = { groups, gauges };
    watched.set(registry, state);
    const probeAll = async (read: (s: BacklogSource, g: string) => Promise<number>, gauge: Gauge) => {
      await Promise.all(
        [...groups].map(async ([g, s]) => {
          try {
            gauge.set(
              { [LABEL_PLUGIN]: pluginOfGroup(g) },
              await withTimeout(read(s, g), BACKLOG_PROBE_TIMEOUT_MS),
            );
          } catch {
            // Unreachable broker: keep the last value; the bus's health check reports the outage.
          }
        }),
      );
    };
    const lagGauge = once(
      registry,
      METRIC_PLUGIN_CONSUMER_LAG,
      () =>
        new Gauge({
          name: METRIC_PLUGIN_CONSUMER_LAG,
          help: 'Events a plugin consumer group has not committed yet, by plugin (summed over partitions)',
          labelNames: [LABEL_PLUGIN],
          registers: [registry],
          async collect() {
            await probeAll((s, g) => s.lag(g), this);
          },
        }),
    );
    const deadGauge = once(
      registry,
      METRIC_PLUGIN_DEAD_LETTERS,
      () =>
        new Gauge({
          name: METRIC_PLUGIN_DEAD_LETTERS,
          help: 'Dead letters of a plugin waiting for a redrive, by plugin',
          labelNames: [LABEL_PLUGIN],
          registers: [registry],
          async collect() {
            await probeAll((s, g) => s.deadLetters(g), this);
          },
        }),
    );
    gauges.push(lagGauge, deadGauge);
  }
  const { groups, gauges } = state;
  groups.set(group, source);
  return {
    stop() {
      if (groups.get(group) !== source) return;
      groups.delete(group);
      // A plugin that is gone has no backlog: its series disappear instead of freezing.
      for (const g of gauges) g.remove({ [LABEL_PLUGIN]: pluginOfGroup(group) });
    },
  };
}
