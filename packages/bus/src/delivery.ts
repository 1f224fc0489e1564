// The types delivery shares between the one-by-one path (consume.ts) and the batch path
// (batch.ts): each imports them from here, so neither module needs the other's types.
import type { BusMetrics } from './metrics.js';
import type { BusEvent, BusLogger, EventHandler, RawRecord, SubscribeOptions } from './types.js';

/** A record as fetched, with where it came from (for dead-letter headers). */
export interface FetchedRecord {
  raw: RawRecord;
  partition: number;
  offset: string;
}

/** Subscription options with defaults applied. */
export type ResolvedSubscribeOptions = Required<
  Omit<SubscribeOptions<BusEvent>, 'dedupe' | 'batch' | 'transient'>
> &
  Pick<SubscribeOptions<BusEvent>, 'dedupe' | 'batch' | 'transient'>;

/** Everything `deliverBatch` needs from the transport. */
export interface DeliveryDeps {
  topic: string;
  group: string;
  // biome-ignore lint/suspicious/noExplicitAny: the subscription's reader decides the event type.
  handler: EventHandler<any>;
  opts: ResolvedSubscribeOptions;
  metrics: BusMetrics;
  logger: BusLogger;
  deadLetter(record: RawRecord): Promise<void>;
  /** Set when the subscription is closing: pending retries give up (the batch is then redelivered). */
  signal: AbortSignal;
  /** Called between records so long batches keep the group membership alive. */
  heartbeat?: () => Promise<void>;
  /** Commits a finished prefix while the batch still runs (records[0..done-1] are handled). */
  progress?: (done: number) => Promise<void>;
}
