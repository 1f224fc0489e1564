import type { Kysely } from '@paystream/db';
import {
  EVENTS_TOPIC,
  type EventOf,
  type EventType,
  LEDGER_ENTRIES_TOPIC,
  LEDGER_ENTRY_POSTED,
  type LedgerEntryPostedEvent,
  type TypedEvent,
} from '@paystream/events';
import { z } from 'zod';
import type { PluginLogger, ResolvedDeps, ServiceRef } from './services.js';

/** A plugin id: lower-case, digits and dashes; it names the consumer group and the route prefix. */
export const PLUGIN_ID = /^[a-z][a-z0-9-]{0,39}$/;

/** Event types of the ledger's topic `ledger.entries.v1` a plugin may subscribe to (ERP connectors). */
export const LEDGER_EVENT_TYPES = [LEDGER_ENTRY_POSTED] as const;
/** One of {@link LEDGER_EVENT_TYPES}. */
export type LedgerEventType = (typeof LEDGER_EVENT_TYPES)[number];
/** Anything a plugin may subscribe to: payment event types, or the ledger's. */
export type PluginEventType = EventType | LedgerEventType;
/** The event `handle` receives for a subscribed type. */
export type PluginEventOf<T extends PluginEventType> = T extends LedgerEventType
  ? LedgerEntryPostedEvent
  : T extends EventType
    ? EventOf<T>
    : never;

/**
 * Which events reach `handle`: by type, and optionally by upstream code (`{ codes: ['64', '80'] }`).
 * A plugin reads one topic: payment types (`payments.events.v1`) or ledger types (`ledger.entries.v1`).
 */
export interface PluginSubscription<T extends PluginEventType = PluginEventType> {
  types: readonly T[];
  /** When set, only events whose `data.code` is one of these (exactly as the appendix writes it). */
  codes?: readonly string[];
}

const isLedgerType = (t: string) => (LEDGER_EVENT_TYPES as readonly string[]).includes(t);

/** The topic a subscription reads: the ledger's for ledger types, else the payment events'. */
export function subscriptionTopic(sub: PluginSubscription): string {
  return sub.types.every(isLedgerType) ? LEDGER_ENTRIES_TOPIC : EVENTS_TOPIC;
}

/** Delivery settings of the plugin's consumer group. */
export interface PluginDelivery {
  /** Handler attempts before the event goes to the plugin's dead-letter topic. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. Default 200 ms. */
  retryBackoffMs?: number;
  /** Orders handled at once (one order is always sequential). Default 8. */
  concurrency?: number;
  /**
   * A new plugin (no committed offset yet) starts at the oldest retained event instead of the
   * newest. Default false: a new alerting plugin must not replay a week of events and page.
   */
  fromBeginning?: boolean;
  /** Most events per `handleBatch` call (plugins without `handleBatch` ignore it). Default 500. */
  maxBatchSize?: number;
}

/** What `handle` receives beside the event. */
export interface HandleContext<State, Deps> {
  /** The plugin's logger with the event's id, type and order bound; `child` adds more. */
  logger: PluginLogger;
  /** Aborted when the host is shutting down: stop waiting and throw (the event is redelivered). */
  signal: AbortSignal;
  /** 1 on first delivery, then 2, 3, … while retried. */
  attempt: number;
  /** What `setup` returned. */
  state: State;
  deps: ResolvedDeps<Deps>;
}

/** What `handleBatch` receives beside the events. */
export interface HandleBatchContext<State, Deps> {
  /** The plugin's logger (no event bound: log event ids yourself). */
  logger: PluginLogger;
  /** Aborted when the host is shutting down. */
  signal: AbortSignal;
  /** What `setup` returned. */
  state: State;
  deps: ResolvedDeps<Deps>;
  /**
   * The transaction the host commits the batch in, together with its own records of the batch
   * (event ids done, per-order sequences): write every effect through it, publish with it, and
   * query nothing through `database.db` meanwhile (on SQLite that waits for this transaction).
   * Type it with your schema: `trx as Kysely<MySchema>`.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the plugin's transaction, whatever its schema type.
  trx: Kysely<any>;
  /** Runs `fn` once the transaction has committed (metrics, logs about what is now durable). */
  afterCommit(fn: () => void): void;
}

/** Everything a plugin is, as its author writes it. */
export interface PluginSpec<
  T extends PluginEventType,
  Deps extends Record<string, ServiceRef<unknown>>,
  S extends z.ZodType,
  State,
> {
  id: string;
  description?: string;
  subscribes: PluginSubscription<T>;
  /** Validated when the plugin is registered; errors name the option. */
  options?: S;
  /** The services the plugin needs (see `coreServices`). */
  deps?: Deps;
  delivery?: PluginDelivery;
  /** Runs once before the first event: migrate, register routes and schedules. Returns the state. */
  setup?(deps: ResolvedDeps<Deps>, options: z.output<S>): State | Promise<State>;
  /** Handles one event; resolve = done, throw = retry, then the plugin's dead-letter topic. Idempotent by event id. */
  handle(event: PluginEventOf<T>, ctx: HandleContext<State, Deps>): Promise<void>;
  /**
   * Optional: handles many events at once, in delivery order, through `ctx.trx` (see the README).
   * The host has already dropped events that do not match `subscribes` and those done before. All
   * or nothing: throw and the host rolls the batch back and delivers its events to `handle` one by
   * one (retries, then the dead-letter topic for the one that keeps failing). The effects must be
   * those `handle` would have had for the same events in the same order.
   */
  handleBatch?(events: readonly PluginEventOf<T>[], ctx: HandleBatchContext<State, Deps>): Promise<void>;
  /** Runs once at shutdown, after the last event. */
  close?(state: State): Promise<void>;
}

/** A registered plugin instance: the spec plus the options given to its factory. */
export interface PaystreamPlugin {
  readonly $$type: '@paystream/plugin';
  readonly id: string;
  // biome-ignore lint/suspicious/noExplicitAny: the host treats every plugin alike; types matter to its author.
  readonly spec: PluginSpec<PluginEventType, Record<string, ServiceRef<unknown>>, z.ZodType, any>;
  /** As passed to the factory; the host validates them with `spec.options`. */
  readonly rawOptions: unknown;
}

/** What a plugin package default-exports: call it with the plugin's options. */
export type PluginFactory<S extends z.ZodType> = ((options?: z.input<S>) => PaystreamPlugin) & {
  readonly id: string;
};

/** Thrown by `definePlugin` (malformed spec) and by the host (bad options, duplicate id). */
export class PluginDefinitionError extends Error {
  override readonly name = 'PluginDefinitionError';
}

/**
 * Declares a plugin and returns its factory: `export default definePlugin({ id, subscribes,
 * options, deps, setup, handle })`, then the host calls `factory(options)`.
 */
export function definePlugin<
  const T extends PluginEventType,
  Deps extends Record<string, ServiceRef<unknown>> = Record<string, never>,
  S extends z.ZodType = z.ZodObject<Record<string, never>>,
  State = undefined,
>(spec: PluginSpec<T, Deps, S, State>): PluginFactory<S> {
  if (!PLUGIN_ID.test(spec.id))
    throw new PluginDefinitionError(
      `plugin id ${JSON.stringify(spec.id)} must be lower-case letters, digits and dashes (max 40)`,
    );
  if (spec.subscribes.types.length === 0)
    throw new PluginDefinitionError(`plugin ${spec.id}: subscribes.types must name at least one event type`);
  const ledgerTypes = spec.subscribes.types.filter(isLedgerType);
  if (ledgerTypes.length > 0 && ledgerTypes.length < spec.subscribes.types.length)
    throw new PluginDefinitionError(
      `plugin ${spec.id}: subscribes.types mixes ledger types (${ledgerTypes.join(', ')}) with payment types; ` +
        'a plugin reads one topic',
    );
  if (ledgerTypes.length > 0 && spec.subscribes.codes !== undefined)
    throw new PluginDefinitionError(`plugin ${spec.id}: subscribes.codes applies to payment events only`);
  if (typeof spec.handle !== 'function')
    throw new PluginDefinitionError(`plugin ${spec.id}: handle must be a function`);
  if (spec.handleBatch !== undefined && typeof spec.handleBatch !== 'function')
    throw new PluginDefinitionError(`plugin ${spec.id}: handleBatch must be a function when given`);
  const factory = (options?: z.input<S>): PaystreamPlugin =>
    Object.freeze({
      $$type: '@paystream/plugin' as const,
      id: spec.id,
      spec: spec as unknown as PaystreamPlugin['spec'],
      rawOptions: options ?? {},
    });
  return Object.assign(factory, { id: spec.id });
}

/** The plugin's options, validated; a PluginDefinitionError names every bad option. */
export function validatePluginOptions(plugin: PaystreamPlugin): unknown {
  const schema = plugin.spec.options ?? z.object({}).strict();
  const result = schema.safeParse(plugin.rawOptions);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (i) => `${i.path.map(String).join('.') || '(options)'}: ${i.message}`,
  );
  throw new PluginDefinitionError(`plugin ${plugin.id}: invalid options: ${problems.join('; ')}`);
}

/** Whether an event passes the plugin's subscription (type, then code when codes are given). */
export function subscriptionMatches(
  sub: PluginSubscription,
  event: TypedEvent | LedgerEntryPostedEvent,
): boolean {
  if (!(sub.types as readonly string[]).includes(event.type)) return false;
  if (sub.codes === undefined || event.type === LEDGER_ENTRY_POSTED) return sub.codes === undefined;
  return event.data.code !== null && sub.codes.includes(event.data.code);
}
