import type { Server } from 'node:http';
import type { Tracer } from '@opentelemetry/api';
import {
  createBus,
  createOutboxRelay,
  createTablePruner,
  type EventBus,
  enqueueEvents,
  OUTBOX_TABLE,
  type OutboxRelay,
  sentOutboxRows,
  type TablePruner,
} from '@paystream/bus';
import type { ApiKeyEntry, PaystreamConfig } from '@paystream/config';
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import { answerClientErrorsAsProblems } from '@paystream/http-kit';
import { createUpstreamClient, type UpstreamCredentials } from '@paystream/upstream-client';
import { Registry } from 'prom-client';
import { prepareDatabase } from './database.js';
import { idempotencyKeysRetained } from './http/idempotency.js';
import { armFailpoint } from './payments/failpoint.js';
import type { SweepResult } from './payments/sweeper.js';
import { createGateway, type GatewayLogger } from './server.js';
import type { GatewaySchema } from './store/schema.js';

export interface StartGatewayOptions {
  config: PaystreamConfig;
  /** Where the aggregator is (the caller resolves "unset = bundled sandbox"). */
  upstreamBaseUrl: string;
  upstreamCredentials: UpstreamCredentials;
  /** Keys accepted besides config.apiKeys (the all-in-one's development key). */
  extraApiKeys?: readonly ApiKeyEntry[];
  registry?: Registry;
  logger?: GatewayLogger;
  tracer?: Tracer;
  /** A bus shared with other components; when absent the gateway creates (and closes) its own. */
  bus?: EventBus;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  bus: EventBus;
  relay: OutboxRelay;
  /** Deletes sent outbox rows and Idempotency-Keys past their retention (config.retention). */
  pruner: TablePruner;
  database: Database<GatewaySchema>;
  /** Settles stale intents now (it also runs at start-up and every SWEEP_INTERVAL_MS). */
  sweep(): Promise<SweepResult>;
  /**
   * Graceful: stops accepting, lets in-flight requests finish (each at most the worst-case request
   * time), flushes the outbox, closes everything. Cut short, it leaves only recorded intents, which
   * the next start-up sweep settles.
   */
  close(): Promise<void>;
}

/** Opens the database, the bus and the outbox relay, and listens: everything a gateway process runs. */
export async function startGateway(opts: StartGatewayOptions): Promise<RunningGateway> {
  const { config } = opts;
  armFailpoint(config.failpoint);
  const registry = opts.registry ?? new Registry();
  const database = openDatabase<GatewaySchema>({ url: config.databaseUrl });
  await prepareDatabase(database.db as Kysely<unknown>);
  const ownBus = !opts.bus;
  const bus =
    opts.bus ??
    (await createBus({
      kafkaBrokers: config.kafkaBrokers,
      kafka: config.kafkaTopic,
      ...(config.embeddedBusFile ? { embeddedFile: config.embeddedBusFile } : {}),
      clientId: 'paystream-gateway',
      registry,
      ...(opts.logger ? { logger: opts.logger } : {}),
    }));
  const relay = createOutboxRelay({
    db: database.db,
    bus,
    pollIntervalMs: config.outboxPollIntervalMs,
    registry,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const { retention } = config;
  const pruner = createTablePruner({
    db: database.db,
    tables: [
      sentOutboxRows(OUTBOX_TABLE, retention.sentOutboxMs),
      idempotencyKeysRetained(retention.idempotencyKeysMs),
    ],
    intervalMs: retention.pruneIntervalMs,
    batchSize: retention.pruneBatchSize,
    pauseMs: retention.prunePauseMs,
    registry,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const upstream = createUpstreamClient({
    baseUrl: opts.upstreamBaseUrl,
    credentials: opts.upstreamCredentials,
    timeoutMs: config.upstream.timeoutMs,
    connections: config.upstream.connections,
    pipelining: config.upstream.pipelining,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  let port = config.port;
  const { app, sweeper } = createGateway({
    db: database.db,
    upstream,
    upstreamCredentials: opts.upstreamCredentials,
    upstreamBaseUrl: opts.upstreamBaseUrl,
    bus,
    enqueueEvents,
    wakeOutbox: relay.wake,
    apiKeys: [...config.apiKeys, ...(opts.extraApiKeys ?? [])],
    notifyUrl: () => `${config.publicBaseUrl ?? `http://127.0.0.1:${port}`}/v1/notifications/upstream`,
    registry,
    notifyClockToleranceSeconds: config.notifyClockToleranceSeconds,
    upstreamTimeoutMs: config.upstream.timeoutMs,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.tracer ? { tracer: opts.tracer } : {}),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  answerClientErrorsAsProblems(server);
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : config.port;
  relay.start();
  pruner.start();
  // Settles what a crash or a forced shutdown left (start-up), then keeps settling periodically.
  sweeper.start(config.sweepIntervalMs);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await pruner.stop();
      await sweeper.stop();
      await relay.stop();
      // Whatever the last requests recorded goes out before the bus closes.
      await relay.flush().catch((err: unknown) => {
        opts.logger?.error(
          { error: err instanceof Error ? err.message : String(err) },
          'final outbox flush failed',
        );
      });
      if (ownBus) await bus.close();
      await upstream.destroy();
      await database.destroy();
    })();
    return closing;
  };
  return {
    url: `http://${config.host}:${port}`,
    port,
    server,
    bus,
    relay,
    pruner,
    database,
    sweep: () => sweeper.sweep(),
    close,
  };
}
