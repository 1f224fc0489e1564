// The services a plugin may ask for, as references (Backstage's service refs): a plugin names what
// it needs in `deps`, and the host hands it a per-plugin instance of each in `setup`. The interfaces
// here are the whole contract; how the host builds them is its business.
import type { Tracer } from '@opentelemetry/api';
import type { UpstreamOrderStatus } from '@paystream/codes';
import type { Scope } from '@paystream/config';
import type { Kysely, Migration, Transaction } from '@paystream/db';
import type { CloudEventEnvelope } from '@paystream/events';
import type { ChildLogger } from '@paystream/logger';
import type { Currency, MinorUnits } from '@paystream/money';
import type { RequestHandler, Router } from 'express';
import type { Counter, CounterConfiguration, Gauge, GaugeConfiguration, Registry } from 'prom-client';

/** A typed handle on a service the host provides. */
export interface ServiceRef<T> {
  readonly id: string;
  readonly $$type: '@paystream/ServiceRef';
  /** Phantom: carries the service's type, never set at run time. */
  readonly T?: T;
}

/** Creates a service reference (the host registers an implementation under the same id). */
export function createServiceRef<T>(id: string): ServiceRef<T> {
  return Object.freeze({ id, $$type: '@paystream/ServiceRef' as const });
}

/** The plugin's logger: pino-compatible, every line tagged with the plugin id. */
export type PluginLogger = ChildLogger;

/** Metrics on the process registry (in the all-in-one, the gateway's /metrics). */
export interface PluginMetrics {
  readonly registry: Registry;
  /** A counter, created once per registry (a second host on the same registry reuses it). */
  counter<L extends string>(config: CounterConfiguration<L>): Counter<L>;
  /** A gauge, created once per registry. */
  gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L>;
}

/** The plugin's database: SQLite or PostgreSQL (`DATABASE_URL`), migrated per plugin. */
export interface PluginDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** The Kysely handle; type it with your schema: `database.db as Kysely<MySchema>`. */
  // biome-ignore lint/suspicious/noExplicitAny: each plugin brings its own schema type.
  readonly db: Kysely<any>;
  /** Runs the plugin's migrations (its own migration table, `plugin_<id>_migrations`). */
  migrate(migrations: Readonly<Record<string, Migration>>): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: the plugin's transaction, whatever its schema type.
type AnyTransaction = Transaction<any> | Kysely<any>;

/** Publishes through the plugin's own outbox: call it inside the transaction that writes the effects. */
export interface PluginPublisher {
  /** Stores the events for the relay; they reach `topic` only if `trx` commits. */
  publish(trx: AnyTransaction, topic: string, events: readonly CloudEventEnvelope[]): Promise<void>;
}

/**
 * A statement built with Kysely and not run (`db.selectFrom(…)…` or `db.insertInto(…)…` without
 * `.execute()`): the host runs it together with a batch's other statements.
 */
export interface BatchStatement {
  compile(): { readonly sql: string; readonly parameters: readonly unknown[] };
  toOperationNode(): unknown;
}

/** The rows of a batch's reads, by the names the plugin gave them. */
// biome-ignore lint/suspicious/noExplicitAny: rows of the plugin's own selects, typed by its author.
export type BatchReadRows = Readonly<Record<string, readonly Record<string, any>[]>>;

/**
 * A batch in few round trips, for a plugin with `handleBatch` (`batchService`). Each statement of
 * a batch's transaction waits for the database in turn; through this service the plugin's reads
 * and writes join the host's own (the ids done, the orders' sequences), so that on PostgreSQL a
 * batch costs begin, one read, one write and commit. On SQLite they run one after the other.
 */
export interface PluginBatches {
  /**
   * Declares, once (in `setup`), the selects every batch needs before `handleBatch`: built on
   * `db` and not run, by name, for the batch's subscribed events (ids done before included: the
   * host drops those afterwards). The host runs them with its own reads of the batch, on
   * PostgreSQL as one statement, where rows come through JSON: a bigint arrives as a number, a
   * timestamp as a string. `rows(trx)` answers them in `handleBatch`.
   */
  reads<E = unknown>(
    // biome-ignore lint/suspicious/noExplicitAny: the plugin's tables, whatever its schema type.
    select: (events: readonly E[], db: Kysely<any>) => Readonly<Record<string, BatchStatement>>,
  ): void;
  /** In `handleBatch`, with its `trx`: the rows of the batch's reads by name (none declared: `{}`). */
  rows(trx: AnyTransaction): BatchReadRows;
  /**
   * In `handleBatch`, with its `trx`: queues writes (inserts, updates or deletes built and not run)
   * for the end of the batch. Once `handleBatch` has returned they run in its transaction with the
   * host's own records of the batch: on PostgreSQL as one statement (data-modifying CTEs), on SQLite
   * one after the other in the order queued. Within that statement they all see the database as it
   * was before it: two of them must not write the same row, and none may need another's effect
   * (a foreign key is checked at its end, so a child row may come with its parent).
   */
  write(trx: AnyTransaction, ...statements: BatchStatement[]): void;
  /** `publisher.publish(trx, topic, events)` queued like a write (see `write`). */
  publish(trx: AnyTransaction, topic: string, events: readonly CloudEventEnvelope[]): void;
}

/** The plugin's HTTP routes, mounted at `/plugins/<id>/` behind the gateway's API-key authentication. */
export interface PluginHttpRouter {
  /** An Express router; paths are relative to `/plugins/<id>`. */
  readonly router: Router;
  /** Middleware answering 403 unless the caller's key holds `scope`. */
  requireScope(scope: Scope): RequestHandler;
}

/** Outgoing HTTP with a deadline (undici fetch underneath). */
export interface PluginHttpClient {
  fetch(url: string | URL, init?: RequestInit & { timeoutMs?: number }): Promise<Response>;
}

/** Environment the plugin may read (secrets stay in the host's config; read what you need by name). */
export interface PluginConfig {
  get(name: string): string | undefined;
  /** A folder of the plugin's own for files (`.data/plugins/<id>` by default). */
  readonly dataDir: string;
}

/** Runs jobs on a schedule while the host runs; a run never overlaps the job's previous one; errors are logged, never crash the host. */
export interface PluginScheduler {
  every(name: string, intervalMs: number, job: (signal: AbortSignal) => Promise<void>): void;
}

/** What the aggregator says about an order now (its `query`), in minor units. */
export type UpstreamOrderView =
  | {
      outcome: 'found';
      outTradeNo: string;
      status: UpstreamOrderStatus;
      amountMinor: MinorUnits;
      refundedMinor: MinorUnits;
      currency: Currency;
    }
  | { outcome: 'not_found'; outTradeNo: string; code: string }
  | { outcome: 'unavailable'; outTradeNo: string; reason: string };

/** Read-only access to the aggregator's order query (reconciliation). */
export interface UpstreamQuery {
  queryOrder(outTradeNo: string, signal?: AbortSignal): Promise<UpstreamOrderView>;
}

/** The services every host provides. */
export const coreServices = {
  logger: createServiceRef<PluginLogger>('core.logger'),
  metrics: createServiceRef<PluginMetrics>('core.metrics'),
  tracer: createServiceRef<Tracer>('core.tracer'),
  config: createServiceRef<PluginConfig>('core.config'),
  database: createServiceRef<PluginDatabase>('core.database'),
  publisher: createServiceRef<PluginPublisher>('core.publisher'),
  httpRouter: createServiceRef<PluginHttpRouter>('core.httpRouter'),
  httpClient: createServiceRef<PluginHttpClient>('core.httpClient'),
  scheduler: createServiceRef<PluginScheduler>('core.scheduler'),
  upstream: createServiceRef<UpstreamQuery>('core.upstream'),
} as const;

/** Batches in few round trips (see {@link PluginBatches}); the hosts of this version provide it. */
export const batchService = createServiceRef<PluginBatches>('core.batches');

/** The service instances behind a `deps` map of references. */
export type ResolvedDeps<D> = { [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never };
