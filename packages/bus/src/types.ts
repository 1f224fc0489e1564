import type { PaystreamEvent } from '@paystream/events';
import type { Registry } from 'prom-client';

/** What a handler learns about the delivery besides the event. */
export interface HandlerContext {
  /** 1 on first delivery to this handler, then 2, 3, … while retried in-process. */
  attempt: number;
  group: string;
}

/** A subscriber's handler: resolve = done (the offset may move past it), throw = retry, then DLQ. */
export type EventHandler = (event: PaystreamEvent, ctx: HandlerContext) => Promise<void>;

/** Remembers which event ids a group has finished, so redeliveries are skipped (see dedupe.ts). */
export interface ProcessedIds {
  has(group: string, eventId: string): Promise<boolean>;
  add(group: string, eventId: string): Promise<void>;
}

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Handler attempts before the message goes to the dead-letter topic. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, capped at 30 s. Default 200 ms. */
  retryBackoffMs?: number;
  /** Keys handled at once per partition (one key is always sequential). Default 8. */
  concurrency?: number;
  /** A new group starts at the oldest retained event instead of the newest. Default true. */
  fromBeginning?: boolean;
  /** When set, events whose id is already in the store are skipped and ids are added after success. */
  dedupe?: ProcessedIds;
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
  subscribe(group: string, handler: EventHandler, opts?: SubscribeOptions): Promise<Subscription>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  /** Graceful: closes subscriptions (finishing in-flight handlers), then the producer. */
  close(): Promise<void>;
}

/** The pino subset the bus logs through. */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

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
