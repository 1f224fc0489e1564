import type { RequestListener } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { createAccountingPlugin } from '@paystream/accounting';
import { createAlertingPlugin } from '@paystream/alerting';
import { createBus, type EventBus } from '@paystream/bus';
import { DEV_CALLER, hashApiKey, type PaystreamConfig, SCOPES } from '@paystream/config';
import { type Database, openDatabase, redactUrl } from '@paystream/db';
import { createErpCsvPlugin, journalFile } from '@paystream/erp-csv';
import { createErpWebhookPlugin } from '@paystream/erp-webhook';
import { LEDGER_ENTRIES_TOPIC } from '@paystream/events';
import { type RunningGateway, startGateway } from '@paystream/gateway';
import {
  createHostApp,
  createPluginHost,
  loadPluginsFromFile,
  type PluginHost,
  type TopicBus,
} from '@paystream/plugin-runtime';
import { nodeMetrics } from '@paystream/telemetry';
import { createUpstreamClient } from '@paystream/upstream-client';
import { type RunningSandbox, SANDBOX_DEV_CREDENTIALS, startSandbox } from '@paystream/upstream-sandbox';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { banner } from './banner.js';

/** The development key `make start` accepts when PAYSTREAM_DEV_API_KEY is unset. */
export const DEFAULT_DEV_API_KEY = 'psk_dev_local';

/**
 * The development key, if any: only with the bundled sandbox (a real aggregator moves real money),
 * only when no production keys are configured unless it is set explicitly, and never when
 * PAYSTREAM_DEV_API_KEY is set empty.
 */
export function developmentKey(config: PaystreamConfig): string | undefined {
  if (config.upstream.baseUrl !== undefined || config.devApiKey === null) return undefined;
  if (config.devApiKey !== undefined) return config.devApiKey;
  return config.apiKeys.length > 0 ? undefined : DEFAULT_DEV_API_KEY;
}

export interface AllInOne {
  gateway: RunningGateway;
  /** Absent when UPSTREAM_BASE_URL points elsewhere. */
  sandbox: RunningSandbox | undefined;
  bus: EventBus;
  /** The plugin host (accounting), in-process; its routes answer on the gateway's port. */
  plugins: PluginHost;
  registry: Registry;
  /** Absent outside the bundled sandbox, or when turned off. */
  devKey: string | undefined;
  banner: string;
  /** Graceful: the gateway drains and flushes its outbox, then the bus and the sandbox stop. */
  close(): Promise<void>;
}

/**
 * Runs the platform in one process: the sandbox as upstream (unless UPSTREAM_BASE_URL is set), the
 * bus (embedded unless KAFKA_BROKERS is set), the gateway on SQLite (unless DATABASE_URL is set),
 * all metrics on one registry. The plugin host joins here once it exists.
 */
export async function startAllInOne(
  config: PaystreamConfig,
  logger: Logger,
  /** What plugins read (ALERTMANAGER_URL, ERP_CSV_DIR, ERP_WEBHOOK_URL, ...). */
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AllInOne> {
  // Before anything listens: a config file that cannot load, or that names a plugin the all-in-one
  // runs already, stops the start with nothing to tear down.
  const planned = await planPlugins(config, env);
  const registry = new Registry();
  nodeMetrics(registry);
  const sandbox = config.upstream.baseUrl
    ? undefined
    : await startSandbox({
        port: config.sandboxPort,
        host: config.host,
        credentials: SANDBOX_DEV_CREDENTIALS,
        logger: logger.child({ component: 'sandbox' }),
      });
  const upstreamBaseUrl = config.upstream.baseUrl ?? sandbox!.url;
  const credentials =
    config.upstream.userConfirmKey && config.upstream.privateKey
      ? { userConfirmKey: config.upstream.userConfirmKey, privateKey: config.upstream.privateKey }
      : SANDBOX_DEV_CREDENTIALS;
  const embeddedFile = resolve(config.embeddedBusFile ?? '.data/paystream-bus.sqlite');
  const busOptions = {
    kafkaBrokers: config.kafkaBrokers,
    kafka: config.kafkaTopic,
    embeddedFile,
    clientId: 'paystream-allinone',
    registry,
    logger: logger.child({ component: 'bus' }),
  };
  const bus = await createBus(busOptions);
  // The ledger's entries (ledger.entries.v1), which the ERP connectors read.
  const ledgerBus = await createBus({ ...busOptions, topic: LEDGER_ENTRIES_TOPIC });
  // Shows the events as they reach the bus, so `make start` makes the flow visible.
  const console = await bus.subscribe(
    'allinone-console',
    async (event) => {
      logger.info(
        { type: event.type, subject: event.subject, sequence: event.data.sequence, code: event.data.code },
        `event ${event.type}`,
      );
    },
    { fromBeginning: false },
  );
  const devKey = developmentKey(config);
  const devKeys = devKey ? [{ caller: DEV_CALLER, sha256: hashApiKey(devKey), scopes: [...SCOPES] }] : [];
  const gateway = await startGateway({
    config,
    upstreamBaseUrl,
    upstreamCredentials: credentials,
    extraApiKeys: devKeys,
    registry,
    bus,
    logger: logger.child({ component: 'gateway' }),
  });
  const plugins = await startPlugins({
    config,
    env,
    planned,
    bus,
    ledgerBus,
    registry,
    logger,
    apiKeys: [...config.apiKeys, ...devKeys],
    upstream: createUpstreamClient({
      baseUrl: upstreamBaseUrl,
      credentials,
      timeoutMs: config.upstream.timeoutMs,
      connections: config.upstream.connections,
      pipelining: config.upstream.pipelining,
    }),
  });
  // Plugin routes answer on the gateway's port (DESIGN): /plugins/* and /admin/plugins/* go to the
  // host's app, everything else to the gateway's, on the one server the gateway listens with.
  const [gatewayApp] = gateway.server.listeners('request') as RequestListener[];
  gateway.server.removeAllListeners('request');
  gateway.server.on('request', (req, res) =>
    /^\/(admin\/)?plugins(\/|$|\?)/.test(req.url ?? '') ? plugins.app(req, res) : gatewayApp!(req, res),
  );
  const text = banner({
    gatewayUrl: gateway.url,
    upstream: sandbox ? { kind: 'sandbox', url: sandbox.url } : { kind: 'aggregator', url: upstreamBaseUrl },
    devKey,
    demoNo: `demo-${Date.now().toString(36)}`,
    bus:
      config.kafkaBrokers.length > 0
        ? `Kafka ${config.kafkaBrokers.join(',')}`
        : `embedded (${embeddedFile})`,
    database: config.databaseUrl ? redactUrl(config.databaseUrl) : resolve('.data/paystream.sqlite'),
    plugins: plugins.names,
    alerting: plugins.alertmanagerUrl ? `log + Alertmanager ${plugins.alertmanagerUrl}` : 'log',
    erpCsvFile: journalFile(plugins.csvDir, { postedAt: new Date().toISOString() }),
  });
  let closing: Promise<void> | undefined;
  return {
    gateway,
    sandbox,
    bus,
    plugins: plugins.host,
    registry,
    devKey,
    banner: text,
    close() {
      closing ??= (async () => {
        await gateway.close();
        await plugins.close();
        await console.close();
        await bus.close();
        await ledgerBus.close();
        await sandbox?.close();
      })();
      return closing;
    },
  };
}

/** Where the plugins keep their data, and which plugins run: the shipped ones, then PLUGIN_HOST_CONFIG's. */
async function planPlugins(config: PaystreamConfig, env: Readonly<Record<string, string | undefined>>) {
  const url = config.databaseUrl;
  const pg = url !== undefined && /^postgres(ql)?:\/\//.test(url);
  // SQLite has one writer per file: the ledger gets a file of its own beside the gateway's.
  const gatewayFile = resolve(url && !pg ? url.replace(/^sqlite:(\/\/)?/, '') : '.data/paystream.sqlite');
  const csvDir = resolve(env.ERP_CSV_DIR ?? join(dirname(gatewayFile), 'erp'));
  const shipped = [
    // The daily reconciliation's CSV lands beside the ERP journal finance already collects.
    createAccountingPlugin({ reconciliationDir: csvDir }),
    createAlertingPlugin({}),
    createErpCsvPlugin({ dir: csvDir }),
    ...(env.ERP_WEBHOOK_URL ? [createErpWebhookPlugin({})] : []),
  ];
  // A connector under development runs beside the shipped plugins without touching this file: its
  // package is named in PLUGIN_HOST_CONFIG and resolved from that file's folder (or is a path).
  const file = config.pluginHostConfig ? resolve(config.pluginHostConfig) : undefined;
  const extra = file ? await loadPluginsFromFile(file) : [];
  for (const plugin of extra) {
    // The host would refuse the second copy too, but without saying which file to fix.
    if (shipped.some((s) => s.id === plugin.id))
      throw new Error(
        `plugin ${plugin.id} in ${file} already runs in the all-in-one (it ships ${shipped.map((s) => s.id).join(', ')}); list only plugins of your own there`,
      );
  }
  return { pg, gatewayFile, csvDir, plugins: [...shipped, ...extra] };
}

/**
 * The plugin host with the accounting ledger, alerting (log channel; Alertmanager when
 * ALERTMANAGER_URL is set), the CSV ERP connector (the webhook one when ERP_WEBHOOK_URL is set) and
 * the plugins of PLUGIN_HOST_CONFIG, on the gateway's database server or a SQLite file beside it.
 */
async function startPlugins(o: {
  config: PaystreamConfig;
  env: Readonly<Record<string, string | undefined>>;
  planned: Awaited<ReturnType<typeof planPlugins>>;
  bus: EventBus;
  ledgerBus: TopicBus;
  registry: Registry;
  logger: Logger;
  apiKeys: Parameters<typeof createPluginHost>[0]['apiKeys'];
  upstream: ReturnType<typeof createUpstreamClient>;
}) {
  const { pg, gatewayFile, csvDir } = o.planned;
  const database: Database = pg
    ? openDatabase({ url: o.config.databaseUrl! })
    : openDatabase({ url: join(dirname(gatewayFile), 'plugins.sqlite') });
  const logger = o.logger.child({ component: 'plugins' });
  const host = createPluginHost({
    plugins: o.planned.plugins,
    bus: o.bus,
    topicBuses: { [LEDGER_ENTRIES_TOPIC]: o.ledgerBus },
    env: o.env,
    database,
    registry: o.registry,
    apiKeys: o.apiKeys,
    logger,
    upstream: o.upstream,
    dataDir: resolve(dirname(gatewayFile), 'plugins'),
    outboxPollIntervalMs: o.config.outboxPollIntervalMs,
    retention: o.config.retention,
  });
  await host.start();
  return {
    host,
    names: host.plugins,
    alertmanagerUrl: o.env.ALERTMANAGER_URL,
    csvDir,
    app: createHostApp(host, { logger, registry: o.registry }),
    database,
    async close() {
      await host.close();
      await o.upstream.destroy();
      await database.destroy();
    },
  };
}
