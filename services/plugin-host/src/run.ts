// The standalone plugin host: reads the environment and PLUGIN_HOST_CONFIG, runs the plugins it
// names, and serves their routes, /healthz, /readyz and /metrics on PLUGIN_HOST_PORT (default 8090).
import { createBus } from '@paystream/bus';
import { closeOnSignals, loadConfigOrExit } from '@paystream/config';
import { openDatabase } from '@paystream/db';
import { EVENTS_TOPIC, LEDGER_ENTRIES_TOPIC } from '@paystream/events';
import { createHostApp, createPluginHost, loadPluginsFromFile } from '@paystream/plugin-runtime';
import { createProcessLogger, startTracing, upstreamPoolMetrics } from '@paystream/telemetry';
import { createUpstreamClient } from '@paystream/upstream-client';
import { collectDefaultMetrics, Registry } from 'prom-client';

const tracing = startTracing({ serviceName: 'paystream-plugin-host' });
const config = loadConfigOrExit();
const logger = createProcessLogger({ name: 'plugin-host', level: config.logLevel });
if (!config.pluginHostConfig) {
  logger.error({}, 'PLUGIN_HOST_CONFIG must name the JSON file listing the plugins to run');
  process.exit(2);
}
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const database = openDatabase({ url: config.databaseUrl, sqliteFile: '.data/plugins.sqlite' });
const busOptions = {
  topic: config.pluginHostTopics.events ?? EVENTS_TOPIC,
  kafkaBrokers: config.kafkaBrokers,
  kafka: config.kafkaTopic,
  ...(config.embeddedBusFile ? { embeddedFile: config.embeddedBusFile } : {}),
  clientId: 'paystream-plugin-host',
  registry,
  logger: logger.child({ component: 'bus' }),
};
const bus = await createBus(busOptions);
// The ledger's entries, for ERP connectors: same transport, the ledger's own topic. Plugins name it
// LEDGER_ENTRIES_TOPIC whatever topic it is on Kafka (PLUGIN_HOST_LEDGER_TOPIC).
const ledgerBus = await createBus({
  ...busOptions,
  topic: config.pluginHostTopics.ledger ?? LEDGER_ENTRIES_TOPIC,
});
const upstream =
  config.upstream.baseUrl && config.upstream.userConfirmKey && config.upstream.privateKey
    ? createUpstreamClient({
        baseUrl: config.upstream.baseUrl,
        credentials: {
          userConfirmKey: config.upstream.userConfirmKey,
          privateKey: config.upstream.privateKey,
        },
        timeoutMs: config.upstream.timeoutMs,
        connections: config.upstream.connections,
        pipelining: config.upstream.pipelining,
        logger,
      })
    : undefined;
if (upstream) upstreamPoolMetrics(registry, () => upstream.poolStats());
const host = createPluginHost({
  plugins: await loadPluginsFromFile(config.pluginHostConfig),
  bus,
  topicBuses: { [LEDGER_ENTRIES_TOPIC]: ledgerBus },
  database,
  registry,
  apiKeys: config.apiKeys,
  logger,
  outboxPollIntervalMs: config.outboxPollIntervalMs,
  retention: config.retention,
  ...(upstream ? { upstream } : {}),
});
await host.start();
const app = createHostApp(host, { logger, registry, health: { bus } });
const server = app.listen(config.pluginHostPort, config.host, () => {
  logger.info({ port: config.pluginHostPort, plugins: host.plugins }, 'plugin host listening');
});

closeOnSignals(
  async () => {
    await new Promise<void>((res) => server.close(() => res()));
    await host.close();
    await bus.close();
    await ledgerBus.close();
    await upstream?.destroy();
    await database.destroy();
    await tracing.shutdown();
  },
  {
    timeoutMs: config.shutdownTimeoutMs,
    onSignal: (signal) => logger.info({ signal }, 'shutting down: finishing in-flight events'),
  },
);
