// What both transports (embedded/bus.ts, kafka/bus.ts) do the same way around their own storage:
// the defaults of the common options, publishing under a span and counting, and a redrive's tally.
import { type PaystreamEvent, toKafkaMessage } from '@paystream/events';
import { EVENTS_TOPIC } from '@paystream/telemetry';
import { redriveOne } from './consume.js';
import type { DeliveryDeps, FetchedRecord } from './delivery.js';
import { silentLogger } from './log.js';
import { type BusMetrics, busMetrics } from './metrics.js';
import { withPublishSpan } from './tracing.js';
import type { BusLogger, CommonBusOptions, RawRecord, RedriveResult } from './types.js';

/** What every delivery of a transport shares: its topic, logger and metrics. */
export interface TransportBase {
  topic: string;
  logger: BusLogger;
  metrics: BusMetrics;
}

/** The common options with their defaults applied. */
export function transportBase(opts: CommonBusOptions): TransportBase {
  return {
    topic: opts.topic ?? EVENTS_TOPIC,
    logger: opts.logger ?? silentLogger,
    metrics: busMetrics(opts.registry),
  };
}

/** An event as the wire carries it. */
export function rawOfEvent(e: PaystreamEvent): RawRecord {
  const m = toKafkaMessage(e);
  return { key: m.key, value: String(m.value), headers: m.headers };
}

/**
 * Publishes events to the transport's topic: `write` stores their records under a `publish` span
 * (`system` names the transport in it); each event is counted once stored. Nothing to publish: no span.
 */
export async function publishEvents(
  { topic, metrics }: TransportBase,
  system: string,
  events: readonly PaystreamEvent[],
  write: (records: RawRecord[]) => Promise<void> | void,
): Promise<void> {
  if (events.length === 0) return;
  await withPublishSpan(topic, events, system, async () => write(events.map(rawOfEvent)));
  for (const e of events) metrics.published.inc({ type: e.type });
}

/** A redrive: `feed` hands each pending dead letter to `redrive`, which delivers it again and tallies it. */
export async function redriveTally(
  deps: DeliveryDeps,
  feed: (redrive: (rec: FetchedRecord) => Promise<void>) => Promise<unknown>,
): Promise<RedriveResult> {
  const result = { attempted: 0, redriven: 0, failed: 0 };
  await feed((rec) => redriveOne(rec, deps, result));
  return result;
}
