import { resolve } from 'node:path';
import { createBus, type EventBus } from '@paystream/bus';
import { hashApiKey, type PaystreamConfig, SCOPES } from '@paystream/config';
import { redactUrl } from '@paystream/db';
import { type RunningGateway, startGateway } from '@paystream/gateway';
import { nodeMetrics } from '@paystream/telemetry';
import { type RunningSandbox, SANDBOX_DEV_CREDENTIALS, startSandbox } from '@paystream/upstream-sandbox';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { banner } from './banner.js';

/** The development key `make start` accepts when PAYSTREAM_DEV_API_KEY is unset. */
export const DEFAULT_DEV_API_KEY = 'psk_dev_local';

export interface AllInOne {
  gateway: RunningGateway;
  /** Absent when UPSTREAM_BASE_URL points elsewhere. */
  sandbox: RunningSandbox | undefined;
  bus: EventBus;
  registry: Registry;
  devKey: string;
  banner: string;
  /** Graceful: the gateway drains and flushes its outbox, then the bus and the sandbox stop. */
  close(): Promise<void>;
}

/**
 * Runs the platform in one process: the sandbox as upstream (unless UPSTREAM_BASE_URL is set), the
 * bus (embedded unless KAFKA_BROKERS is set), the gateway on SQLite (unless DATABASE_URL is set),
 * all metrics on one registry. The plugin host joins here once it exists.
 */
export async function startAllInOne(config: PaystreamConfig, logger: Logger): Promise<AllInOne> {
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
  const bus = await createBus({
    kafkaBrokers: config.kafkaBrokers,
    kafka: config.kafkaTopic,
    embeddedFile,
    clientId: 'paystream-allinone',
    registry,
    logger: logger.child({ component: 'bus' }),
  });
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
  const devKey = config.devApiKey ?? DEFAULT_DEV_API_KEY;
  const gateway = await startGateway({
    config,
    upstreamBaseUrl,
    upstreamCredentials: credentials,
    extraApiKeys: [{ caller: 'dev', sha256: hashApiKey(devKey), scopes: [...SCOPES] }],
    registry,
    bus,
    logger: logger.child({ component: 'gateway' }),
  });
  const text = banner({
    gatewayUrl: gateway.url,
    sandboxUrl: sandbox?.url ?? upstreamBaseUrl,
    devKey,
    demoNo: `demo-${Date.now().toString(36)}`,
    bus:
      config.kafkaBrokers.length > 0
        ? `Kafka ${config.kafkaBrokers.join(',')}`
        : `embedded (${embeddedFile})`,
    database: config.databaseUrl ? redactUrl(config.databaseUrl) : resolve('.data/paystream.sqlite'),
  });
  let closing: Promise<void> | undefined;
  return {
    gateway,
    sandbox,
    bus,
    registry,
    devKey,
    banner: text,
    close() {
      closing ??= (async () => {
        await gateway.close();
        await console.close();
        await bus.close();
        await sandbox?.close();
      })();
      return closing;
    },
  };
}
