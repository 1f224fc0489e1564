// The plugin host: registers plugins (refusing malformed ones early), gives each its services and its
// own consumer group `paystream.plugin.<id>`, dedupes by event id and checks per-order sequences per
// plugin (in one transaction per batch for plugins with `handleBatch`, see batch.ts), serves plugin
// routes, and lets operators list and redrive each plugin's dead letters.
import { resolve } from 'node:path';
import {
  type BacklogWatch,
  type BatchHandler,
  createRecordOutboxRelay,
  createTablePruner,
  type DeadLetter,
  type EventBus,
  type EventHandler,
  processedEventIds,
  type RedriveResult,
  type Subscription,
  sentOutboxRows,
  sqlProcessedIds,
  watchBacklog,
} from '@paystream/bus';
import { type ApiKeyEntry, loadConfig, type RetentionConfig } from '@paystream/config';
import type { Database, Kysely } from '@paystream/db';
import {
  EVENTS_TOPIC,
  type LedgerEntryPostedEvent,
  readLedgerKafkaMessage,
  type TypedEvent,
} from '@paystream/events';
import { ApiKeyStore } from '@paystream/http-kit';
import { type ChildLogger, silentLogger } from '@paystream/logger';
import {
  coreServices,
  type PaystreamPlugin,
  PluginDefinitionError,
  subscriptionMatches,
  subscriptionTopic,
  validatePluginOptions,
} from '@paystream/plugin-sdk';
import { PLUGIN_GROUP_PREFIX } from '@paystream/telemetry';
import type { UpstreamClient } from '@paystream/upstream-client';
import type { Registry } from 'prom-client';
import { type HostEvent, pluginBatchHandler } from './batch.js';
import { databaseOutage } from './outage.js';
import { PLUGIN_OUTBOX_BATCH } from './outbox.js';
import { type PluginServices, pluginServices } from './services.js';
import { checkSequence, migrateHost, PLUGIN_OUTBOX_TABLE } from './state.js';
import { upstreamQuery } from './upstream.js';

/** The consumer group of a plugin: operators and dashboards know a plugin by it, so it never changes. */
export const pluginGroup = (id: string) => `${PLUGIN_GROUP_PREFIX}${id}`;

/** A bus on one topic; `topic` is its physical name (tests give each run a topic of its own). */
export type TopicBus = EventBus & { readonly topic: string };

/** Options of {@link createPluginHost}. */
export interface PluginHostOptions {
  plugins: readonly PaystreamPlugin[];
  /** The payment events' bus (`payments.events.v1`). */
  bus: EventBus;
  /**
   * Buses of the other topics plugins read or publish, by the topic name plugins use: the ledger's
   * `ledger.entries.v1` for ERP connectors. A plugin subscribing to a topic without a bus is refused.
   */
  topicBuses?: Readonly<Record<string, TopicBus>>;
  /** Where plugins keep their tables (and the host its outbox, dedupe and sequences). */
  database: Database;
  /** The process registry (in the all-in-one, the gateway's). */
  registry: Registry;
  /** The gateway's API keys: plugin routes accept the same keys and scopes. */
  apiKeys: readonly ApiKeyEntry[];
  logger?: ChildLogger;
  /** For plugins that ask for `coreServices.upstream` (reconciliation); unset = unavailable. */
  upstream?: UpstreamClient;
  env?: Readonly<Record<string, string | undefined>>;
  /** Parent of each plugin's data folder. Default `.data/plugins`. */
  dataDir?: string;
  /** How often the plugin outbox relay looks for rows. Default 200 ms. */
  outboxPollIntervalMs?: number;
  /** Retry backoff of every plugin unless its spec says otherwise (tests make it short). */
  retryBackoffMs?: number;
  /**
   * How long sent plugin outbox rows and processed event ids are kept, and how they are pruned
   * (`config.retention`). Default: the configuration's defaults.
   */
  retention?: RetentionConfig;
}

/** One plugin as operators see it (`/readyz`, `GET /admin/plugins`). */
export interface PluginStatus {
  id: string;
  group: string;
  ok: boolean;
  state: 'registered' | 'running' | 'failed' | 'stopped';
  lag: number | null;
  deadLetters: number | null;
  sequenceGaps: number;
  lastError: { message: string; eventId: string; at: string } | null;
}

/** A running host. */
export interface PluginHost {
  readonly plugins: readonly string[];
  /** Migrates, runs every plugin's setup, then subscribes each to its group. */
  start(): Promise<void>;
  status(): Promise<PluginStatus[]>;
  /** The plugin's routers by id (mounted under `/plugins/<id>` by `createHostApp`). */
  routers(): ReadonlyMap<string, import('express').Router>;
  apiKeys: ApiKeyStore;
  deadLetters(id: string, limit?: number): Promise<DeadLetter[]>;
  /** Hands the plugin's dead letters to its handler again (after the fault is fixed). */
  redrive(id: string): Promise<RedriveResult>;
  /** Sends what plugins published through their outbox now. */
  flushOutbox(): Promise<number>;
  /**
   * Deletes sent plugin outbox rows and processed ids past their retention now (the host also does
   * it every `retention.pruneIntervalMs`); resolves with the rows deleted per table.
   */
  prune(): Promise<Record<string, number>>;
  /** Graceful: stops consuming (in-flight events finish), schedules, plugins' close, the outbox. */
  close(): Promise<void>;
}

interface Running {
  plugin: PaystreamPlugin;
  /** The bus of the topic the plugin reads. */
  bus: EventBus;
  ledger: boolean;
  options: unknown;
  services: PluginServices;
  state: unknown;
  handler: EventHandler<TypedEvent | LedgerEntryPostedEvent>;
  /** Set when the plugin has `handleBatch`. */
  batch?: BatchHandler<HostEvent>;
  subscription?: Subscription;
  /** The plugin's lag and dead-letter gauges, read from its bus when Prometheus scrapes. */
  backlog?: BacklogWatch;
  status: PluginStatus['state'];
  gaps: number;
  lastError: PluginStatus['lastError'];
}

/** Registers the plugins: ids must be unique and options valid, or this throws naming the problem. */
export function createPluginHost(opts: PluginHostOptions): PluginHost {
  const logger = opts.logger ?? silentLogger;
  const db = opts.database.db as Kysely<unknown>;
  const processed = sqlProcessedIds(db);
  const outage = databaseOutage(db);
  const apiKeys = new ApiKeyStore(opts.apiKeys);
  // The one outbox relay of the bus, on the host's table: with N hosts on one database, each row
  // is sent once, in position order (the table's advisory lock lets one relay send at a time).
  const relay = createRecordOutboxRelay({
    db,
    table: PLUGIN_OUTBOX_TABLE,
    batchSize: PLUGIN_OUTBOX_BATCH,
    registry: opts.registry,
    logger,
    ...(opts.outboxPollIntervalMs !== undefined ? { pollIntervalMs: opts.outboxPollIntervalMs } : {}),
    send: (topic, records) => {
      const target = opts.topicBuses?.[topic];
      return target ? target.publishRaw(target.topic, records) : opts.bus.publishRaw(topic, records);
    },
  });
  // Sent rows of the plugins' outbox and the ids every plugin has finished, kept to their
  // retention in the background, apart from the relay (every host may run one).
  const retention = opts.retention ?? loadConfig({}).retention;
  const pruner = createTablePruner({
    db,
    tables: [
      sentOutboxRows(PLUGIN_OUTBOX_TABLE, retention.sentOutboxMs),
      processedEventIds(retention.processedEventsMs),
    ],
    intervalMs: retention.pruneIntervalMs,
    batchSize: retention.pruneBatchSize,
    pauseMs: retention.prunePauseMs,
    registry: opts.registry,
    logger,
  });
  const running = new Map<string, Running>();
  // A plugin's outbox rows commit with its own transaction, which the host does not see; the end
  // of the handler that wrote them is the first moment they are committed. Publishes are counted,
  // so a handler that saw one while it ran (its own, or a concurrent handler's: then the wake is
  // merely early, and that handler wakes again when it ends) wakes the relay instead of leaving
  // the rows to its poll. Rows written elsewhere (routes, scheduled jobs) wait for the poll.
  let publishes = 0;
  const ctx = {
    database: opts.database,
    registry: opts.registry,
    logger,
    env: opts.env ?? process.env,
    dataDir: resolve(opts.dataDir ?? '.data/plugins'),
    upstream: upstreamQuery(opts.upstream),
    apiKeys,
    onPublish: () => {
      publishes += 1;
    },
  };

  for (const plugin of opts.plugins) {
    if (plugin?.$$type !== '@paystream/plugin')
      throw new PluginDefinitionError(
        'not a plugin: pass what a plugin factory returns, e.g. createAccountingPlugin({})',
      );
    if (running.has(plugin.id)) throw new PluginDefinitionError(`plugin ${plugin.id} is registered twice`);
    const options = validatePluginOptions(plugin);
    const services = pluginServices(plugin.id, ctx);
    const topic = subscriptionTopic(plugin.spec.subscribes);
    const bus = topic === EVENTS_TOPIC ? opts.bus : opts.topicBuses?.[topic];
    if (!bus)
      throw new PluginDefinitionError(
        `plugin ${plugin.id} subscribes to ${topic}, which this host has no bus for (topicBuses)`,
      );
    const entry: Running = {
      plugin,
      bus,
      ledger: topic !== EVENTS_TOPIC,
      options,
      services,
      state: undefined,
      status: 'registered',
      gaps: 0,
      lastError: null,
      handler: async () => {},
    };
    const { spec } = plugin;
    const pluginLogger = services.resolve(coreServices.logger) as ChildLogger;
    const deps = () =>
      Object.fromEntries(Object.entries(spec.deps ?? {}).map(([k, ref]) => [k, services.resolve(ref)]));
    const reportGap = (event: TypedEvent, missing: number[]) => {
      entry.gaps += 1;
      pluginLogger.warn(
        { outTradeNo: event.subject, sequence: event.data.sequence, missing },
        'sequence gap: events of this order are missing or late',
      );
    };
    // The deliveries whose sequence is recorded: an attempt that failed before it was (the database
    // away) checks it again, or the order's next event would report it missing.
    const sequenced = new WeakSet<object>();
    entry.handler = async (event, delivery) => {
      // Every payment event takes the order's next sequence number, whatever its type: the check
      // comes before the subscription filter, so a type this plugin does not read is no gap.
      // Ledger entries carry no per-order sequence; their ids (entry ids) are deduped like any event.
      if (!sequenced.has(event) && event.type !== 'ledger.entry.posted') {
        const verdict = await checkSequence(db, plugin.id, event.subject, event.data.sequence);
        sequenced.add(event);
        if (verdict.kind === 'gap') reportGap(event, verdict.missing);
      }
      if (!subscriptionMatches(spec.subscribes, event)) return;
      const publishedBefore = publishes;
      try {
        await spec.handle(event as never, {
          logger: pluginLogger.child({ eventId: event.id, type: event.type, outTradeNo: event.subject }),
          signal: delivery.signal,
          attempt: delivery.attempt,
          state: entry.state,
          deps: deps() as never,
        });
      } catch (err) {
        entry.lastError = {
          message: err instanceof Error ? err.message : String(err),
          eventId: event.id,
          at: new Date().toISOString(),
        };
        throw err;
      } finally {
        if (publishes !== publishedBefore) relay.wake();
      }
    };
    const batch = pluginBatchHandler(db, {
      plugin,
      logger: pluginLogger,
      state: () => entry.state,
      deps,
      onGap: reportGap,
      batches: services.batches,
    });
    // As for one event: a batch that published wakes the relay once its transaction committed.
    if (batch)
      entry.batch = async (events, info) => {
        const publishedBefore = publishes;
        const result = await batch(events, info);
        if (publishes !== publishedBefore) relay.wake();
        return result;
      };
    running.set(plugin.id, entry);
  }

  const delivery = (r: Running) => ({
    ...(r.ledger ? { read: readLedgerKafkaMessage } : {}),
    dedupe: processed,
    transient: outage,
    ...(r.batch ? { batch: r.batch } : {}),
    ...(opts.retryBackoffMs !== undefined ? { retryBackoffMs: opts.retryBackoffMs } : {}),
    ...r.plugin.spec.delivery,
  });

  const get = (id: string) => {
    const r = running.get(id);
    if (!r) throw new PluginDefinitionError(`no plugin ${id} on this host`);
    return r;
  };

  let closing: Promise<void> | undefined;
  const host: PluginHost = {
    plugins: [...running.keys()],
    apiKeys,

    async start() {
      await migrateHost(db);
      for (const r of running.values()) {
        const { spec } = r.plugin;
        try {
          const deps = Object.fromEntries(
            Object.entries(spec.deps ?? {}).map(([k, ref]) => [k, r.services.resolve(ref)]),
          );
          r.state = await spec.setup?.(deps as never, r.options as never);
        } catch (err) {
          r.status = 'failed';
          throw new PluginDefinitionError(
            `plugin ${r.plugin.id}: setup failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
      for (const r of running.values()) {
        const group = pluginGroup(r.plugin.id);
        r.subscription = await r.bus.subscribe(group, r.handler, delivery(r));
        const { bus } = r;
        r.backlog = watchBacklog(opts.registry, group, {
          lag: (g) => bus.lag(g),
          deadLetters: (g) => bus.deadLetterCount(g),
        });
        r.status = 'running';
        logger.info({ plugin: r.plugin.id, group: pluginGroup(r.plugin.id) }, 'plugin running');
      }
      relay.start();
      pruner.start();
    },

    async status() {
      return Promise.all(
        [...running.values()].map(async (r): Promise<PluginStatus> => {
          const group = pluginGroup(r.plugin.id);
          const [lag, deadLetters] = await Promise.all([
            r.bus.lag(group).catch(() => null),
            r.bus.deadLetterCount(group).catch(() => null),
          ]);
          return {
            id: r.plugin.id,
            group,
            ok: r.status === 'running' && lag !== null,
            state: r.status,
            lag,
            deadLetters,
            sequenceGaps: r.gaps,
            lastError: r.lastError,
          };
        }),
      );
    },

    routers: () => new Map([...running].map(([id, r]) => [id, r.services.router])),

    deadLetters: (id, limit) => get(id).bus.deadLetters(pluginGroup(id), limit ? { limit } : {}),

    async redrive(id) {
      const r = get(id);
      const result = await r.bus.redrive(pluginGroup(id), r.handler, delivery(r));
      logger.info({ plugin: id, ...result }, 'dead letters redriven');
      return result;
    },

    flushOutbox: () => relay.flush(),

    prune: () => pruner.prune(),

    close() {
      closing ??= (async () => {
        await pruner.stop();
        for (const r of running.values()) r.backlog?.stop();
        await Promise.all([...running.values()].map((r) => r.subscription?.close()));
        for (const r of running.values()) {
          await r.services.stopSchedules();
          if (r.status === 'running') await r.plugin.spec.close?.(r.state);
          r.status = 'stopped';
        }
        await relay.stop();
        await relay.flush().catch((err: unknown) => {
          logger.error(
            { error: err instanceof Error ? err.message : String(err) },
            'final plugin outbox flush failed',
          );
        });
      })();
      return closing;
    },
  };
  return host;
}
