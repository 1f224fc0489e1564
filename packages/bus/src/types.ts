import type { PaystreamEvent, TypedEvent } from '@paystream/events';
import type { Logger } from '@paystream/logger';
import type { Registry } from 'prom-client';

/** What a handler learns about the delivery besides the event. */
export interface HandlerContext {
  /** 1 on first delivery to this handler, then 2, 3, … while retried in-process. */
  attempt: number;
  group: string;
  /** Aborted when the subscription closes: a handler waiting on something should give up and throw. */
  signal: AbortSignal;
}

/** What every event the bus hands to a handler has (payment events, the ledger's entries). */
export interface BusEvent {
  id: string;
  type: string;
  /** The Kafka key: the order's outTradeNo. */
  subject: string;
  traceparent?: string;
  tracestate?: string;
}

/** A subscriber's handler: resolve = done (the offset may move past it), throw = retry, then DLQ. */
export type EventHandler<E extends BusEvent = TypedEvent> = (event: E, ctx: HandlerContext) => Promise<void>;

/**
 * Decodes one record for a subscription, tolerantly (see `readKafkaMessage`): an event, a type to
 * skip and count, or a throw naming the bad fields (the record is dead-lettered as malformed).
 */
export type RecordReader<E extends BusEvent = TypedEvent> = (
  raw: RawRecord,
) => { kind: 'event'; event: E } | { kind: 'unknown_type'; id: string | undefined; type: string };

/** What a batch handler learns about the delivery besides the events. */
export interface BatchContext {
  group: string;
  /** Aborted when the subscription closes. */
  signal: AbortSignal;
}

/** What a batch handler reports: the ids it skipped as already done (counted as duplicates). */
export interface BatchResult {
  duplicates?: readonly string[];
}

/**
 * Handles consecutive records of a partition at once, in offset order; on Kafka, the runs of one
 * fetch's partitions that arrive together come in one call, each partition's run consecutive and
 * in order (up to `maxBatchSize` in all). All or nothing: resolve =
 * every event is done, throw = none of it happened, and the bus hands the same events one by one to
 * the subscription's handler (retries, backoff, dead letters isolate the bad one). A batch handler
 * owns dedupe: it skips ids already done and records the ids it did atomically with its effects
 * (the `dedupe` store serves the one-by-one path only).
 */
export type BatchHandler<E extends BusEvent = TypedEvent> = (
  events: readonly E[],
  ctx: BatchContext,
) => Promise<BatchResult | undefined>;

/** Remembers which event ids a group has finished, so redeliveries are skipped (see dedupe.ts). */
export interface ProcessedIds {
  has(group: string, eventId: string): Promise<boolean>;
  add(group: string, eventId: string): Promise<void>;
}

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions<E extends BusEvent = TypedEvent> {
  /** How records are read. Default: payment events (`readKafkaMessage` of @paystream/events). */
  read?: RecordReader<E>;
  /** Handler attempts before the message goes to the dead-letter topic. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, capped at 30 s. Default 200 ms. */
  retryBackoffMs?: number;
  /** Keys handled at once per partition (one key is always sequential). Default 8. */
  concurrency?: number;
  /**
   * A new group (no committed position) starts at the oldest retained event instead of the newest.
   * Default false: a new consumer sees what is published after `subscribe` resolves, not history.
   */
  fromBeginning?: boolean;
  /** When set, events whose id is already in the store are skipped and ids are added after success. */
  dedupe?: ProcessedIds;
  /**
   * When set, fetched records go to it in runs of up to `maxBatchSize` instead of one by one to the
   * handler; a run it fails is delivered one by one (see {@link BatchHandler}). Redrives are one by one.
   */
  batch?: BatchHandler<E>;
  /** Most events per `batch` call. Default 500. */
  maxBatchSize?: number;
  /**
   * Says a handler's error is an outage the next attempt may outlive (its database unreachable),
   * not a failure of the event: such attempts do not count toward `maxAttempts`, so the record
   * waits, retried every `retryBackoffMs` doubling up to 5 s, instead of being dead-lettered.
   * Default: every error counts.
   */
  transient?: (err: unknown) => boolean | Promise<boolean>;
}

/** A running subscription. */
export interface Subscription {
  /** Stops fetching, lets in-flight handlers finish, commits, and leaves the group. */
  close(): Promise<void>;
}

/** The one event bus contract; Kafka and the embedded SQLite log both implement it. */
export interface EventBus {
  /** Resolves only when durable (Kafka acks=all / SQLite committed). Order is kept per subject. */
  publish(events: readonly PaystreamEvent[]): Promise<void>;
  /** Starts a consumer group: at-least-once, per-key order, retries, then the group's DLQ. */
  subscribe<E extends BusEvent = TypedEvent>(
    group: string,
    handler: EventHandler<E>,
    opts?: SubscribeOptions<E>,
  ): Promise<Subscription>;
  /** Sends records as they are (no validation): other topics (ledger entries), redrives, fault tests. */
  publishRaw(topic: string, records: readonly RawRecord[]): Promise<void>;
  /** Events of the topic the group has not committed yet (summed over partitions). */
  lag(group: string): Promise<number>;
  /** How many dead letters of the group wait for a redrive (cheap: positions only). */
  deadLetterCount(group: string): Promise<number>;
  /** The group's dead letters not redriven yet, oldest first. */
  deadLetters(group: string, opts?: { limit?: number }): Promise<DeadLetter[]>;
  /**
   * Hands the group's pending dead letters to `handler` again, in order; those that still fail are
   * dead-lettered anew (after the ones being redriven). Run it while the group's handler is fixed.
   */
  redrive<E extends BusEvent = TypedEvent>(
    group: string,
    handler: EventHandler<E>,
    opts?: SubscribeOptions<E>,
  ): Promise<RedriveResult>;
  /** Moves a group that has no running consumer back to the oldest retained event: a full replay. */
  resetOffsets(group: string): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  /** Graceful: closes subscriptions (finishing in-flight handlers), then the producer. */
  close(): Promise<void>;
}

/** The logger the bus logs through (the one Logger contract of @paystream/logger). */
export type BusLogger = Logger;

/** Options shared by both transports. */
export interface CommonBusOptions {
  /** Topic name. Default `payments.events.v1`. */
  topic?: string;
  /** Where metrics go: the process-wide registry. Default a private registry. */
  registry?: Registry;
  logger?: BusLogger;
}

/** A raw record as the wire carries it: used for dead letters and for injecting malformed input. */
export interface RawRecord {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** A dead letter as operators list it: the original record plus why and when it failed. */
export interface DeadLetter extends RawRecord {
  /** Where it sits in the dead-letter topic (`<partition>:<offset>` on Kafka, the sequence embedded). */
  position: string;
  eventId: string | undefined;
  type: string | undefined;
  reason: string | undefined;
  error: string | undefined;
  attempts: number;
  failedAt: string | undefined;
}

/** What a redrive did. */
export interface RedriveResult {
  /** Dead letters handed to the handler. */
  attempted: number;
  /** Handled successfully (or already processed: dedupe). */
  redriven: number;
  /** Still failing: dead-lettered again. */
  failed: number;
}
