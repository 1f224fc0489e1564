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

/** The service instances behind a `deps` map of references. */
export type ResolvedDeps<D> = { [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never };
