// Builds one plugin's instance of each core service. Everything is per plugin: the logger carries
// the id, migrations get their own table, routes their own router, schedules stop with the host.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { trace } from '@opentelemetry/api';
import type { Database } from '@paystream/db';
import { migrateToLatest } from '@paystream/db';
import { type ApiKeyStore, requireScope } from '@paystream/http-kit';
import type { ChildLogger } from '@paystream/logger';
import {
  batchService,
  coreServices,
  type PluginConfig,
  type PluginDatabase,
  type PluginHttpRouter,
  type PluginMetrics,
  type PluginPublisher,
  type PluginScheduler,
  type ServiceRef,
  type UpstreamQuery,
} from '@paystream/plugin-sdk';
import { Router } from 'express';
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import { type HostBatches, pluginBatches } from './batches.js';
import { enqueuePluginEvents, pluginOutboxInsert } from './outbox.js';

/** What the host shares with every plugin's services. */
export interface ServiceContext {
  database: Database;
  registry: Registry;
  logger: ChildLogger;
  env: Readonly<Record<string, string | undefined>>;
  dataDir: string;
  upstream: UpstreamQuery;
  apiKeys: ApiKeyStore;
  /** Told after a plugin wrote events into the outbox (not yet committed: its transaction is its own). */
  onPublish?: () => void;
}

/** A plugin's services, built on first use, plus what the host must stop at shutdown. */
export interface PluginServices {
  resolve(ref: ServiceRef<unknown>): unknown;
  router: Router;
  /** The plugin's batches (`batchService`), as the host's batch handler drives them. */
  batches: HostBatches;
  stopSchedules(): Promise<void>;
}

function once<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Builds the services of plugin `id`. */
export function pluginServices(id: string, ctx: ServiceContext): PluginServices {
  const logger = ctx.logger.child({ plugin: id });
  const router = Router();
  const jobs = new Set<{ abort: AbortController; timer: NodeJS.Timeout; running: Promise<void> }>();

  const metrics: PluginMetrics = {
    registry: ctx.registry,
    counter: (c) => once(ctx.registry, c.name, () => new Counter({ ...c, registers: [ctx.registry] })),
    gauge: (c) => once(ctx.registry, c.name, () => new Gauge({ ...c, registers: [ctx.registry] })),
  };
  const database: PluginDatabase = {
    kind: ctx.database.kind,
    db: ctx.database.db,
    migrate: (migrations) =>
      migrateToLatest(ctx.database.db as never, `plugin_${id.replaceAll('-', '_')}`, migrations),
  };
  const publisher: PluginPublisher = {
    async publish(trx, topic, events) {
      await enqueuePluginEvents(trx, id, topic, events);
      if (events.length > 0) ctx.onPublish?.();
    },
  };
  const batches = pluginBatches(id, (topic, events) => {
    ctx.onPublish?.();
    return pluginOutboxInsert(ctx.database.db as never, id, topic, events);
  });
  const httpRouter: PluginHttpRouter = {
    router,
    requireScope: (scope) => (req, _res, next) => {
      try {
        requireScope(req, scope);
        next();
      } catch (err) {
        next(err);
      }
    },
  };
  const config: PluginConfig = {
    get: (name) => ctx.env[name],
    get dataDir() {
      const dir = resolve(ctx.dataDir, id);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
  };
  const scheduler: PluginScheduler = {
    every(name, intervalMs, job) {
      const abort = new AbortController();
      const entry = { abort, timer: undefined as unknown as NodeJS.Timeout, running: Promise.resolve() };
      let busy = false;
      const run = () => {
        // A run still going when the interval fires again keeps the turn: two overlapping runs of
        // one job (a sender, a reconciliation) would do the same work twice.
        if (busy) return;
        busy = true;
        entry.running = job(abort.signal)
          .catch((err: unknown) => {
            // A job's failure is logged and counted as its own; it never reaches the host.
            logger.error(
              { job: name, error: err instanceof Error ? err.message : String(err) },
              'scheduled job failed',
            );
          })
          .finally(() => {
            busy = false;
          });
      };
      entry.timer = setInterval(run, intervalMs);
      entry.timer.unref();
      jobs.add(entry);
    },
  };
  const httpClient = {
    fetch: (url: string | URL, init: RequestInit & { timeoutMs?: number } = {}) => {
      const { timeoutMs = 10_000, ...rest } = init;
      return fetch(url, { ...rest, signal: rest.signal ?? AbortSignal.timeout(timeoutMs) });
    },
  };

  const services = new Map<string, unknown>([
    [coreServices.logger.id, logger],
    [coreServices.metrics.id, metrics],
    [coreServices.tracer.id, trace.getTracer(`@paystream/plugin-${id}`)],
    [coreServices.config.id, config],
    [coreServices.database.id, database],
    [coreServices.publisher.id, publisher],
    [coreServices.httpRouter.id, httpRouter],
    [coreServices.httpClient.id, httpClient],
    [coreServices.scheduler.id, scheduler],
    [coreServices.upstream.id, ctx.upstream],
    [batchService.id, batches.service],
  ]);
  return {
    resolve(ref) {
      if (!services.has(ref.id))
        throw new Error(`plugin ${id} asked for service ${ref.id}, which this host does not provide`);
      return services.get(ref.id);
    },
    router,
    batches,
    async stopSchedules() {
      for (const j of jobs) {
        clearInterval(j.timer);
        j.abort.abort();
      }
      await Promise.all([...jobs].map((j) => j.running));
      jobs.clear();
    },
  };
}
