import { connect } from 'node:net';
import { type Tracer, trace } from '@opentelemetry/api';
import { catalog, isStatusCode, isWallet } from '@paystream/codes';
import { type ApiKeyEntry, worstCaseRequestMs } from '@paystream/config';
import { type Kysely, sql } from '@paystream/db';
import { ApiKeyStore, mount, NotFoundError, problemMiddleware } from '@paystream/http-kit';
import { type Logger, silentLogger } from '@paystream/logger';
import {
  httpRequestsCounter,
  nodeMetrics,
  notificationsRejectedCounter,
  upstreamCodeInfo,
  upstreamMetrics,
  upstreamPoolMetrics,
} from '@paystream/telemetry';
import type { UpstreamClient, UpstreamCredentials } from '@paystream/upstream-client';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { IdempotencyStore } from './http/idempotency.js';
import { gatewayStatusOf } from './http/statuses.js';
import { httpTracing } from './http/tracing.js';
import { NotificationService } from './payments/notifications.js';
import { OrderLock } from './payments/order-lock.js';
import { type EnqueueEvents, Recorder } from './payments/recorder.js';
import { RefundService } from './payments/refunds.js';
import { PaymentService } from './payments/service.js';
import { IntentSweeper } from './payments/sweeper.js';
import { healthRouter, type ReadinessCheck } from './routes/health.js';
import { notificationsRouter } from './routes/notifications.js';
import { openApiDocument } from './routes/openapi.js';
import { paymentsRouter } from './routes/payments.js';
import { getOpenApiDocument } from './routes/table.js';
import type { GatewaySchema } from './store/schema.js';
import { instrumentUpstream } from './upstream/instrumented.js';

/** The gateway's logger (the one Logger contract of @paystream/logger). */
export type GatewayLogger = Logger;

export interface GatewayDeps {
  /** Migrated with `prepareDatabase`. */
  db: Kysely<GatewaySchema>;
  /** The aggregator client; the gateway wraps it with a span and a metric per call. */
  upstream: UpstreamClient;
  /** Verifies the notify callback (the same credentials the client signs with). */
  upstreamCredentials: UpstreamCredentials;
  /** Checked by /readyz (host:port reachability; the aggregator has no health endpoint). */
  upstreamBaseUrl: string;
  /** The bus the outbox relay publishes to; the gateway only asks it for health. */
  bus: { health(): Promise<{ ok: boolean; detail?: string }> };
  /** Writes events into the outbox inside a transaction (`enqueueEvents` of @paystream/bus). */
  enqueueEvents: EnqueueEvents;
  /**
   * Called after each transaction that enqueued events commits: the relay's `wake`, so events go
   * out at once instead of at its next poll. Unset: they wait for the poll (or a flush).
   */
  wakeOutbox?: () => void;
  /** Accepted API keys (hashed). */
  apiKeys: readonly ApiKeyEntry[];
  /** The URL the aggregator calls back: this gateway's /v1/notifications/upstream. */
  notifyUrl: string | (() => string);
  /** Every metric goes here; in the all-in-one the one registry of the process. */
  registry: Registry;
  logger?: GatewayLogger;
  tracer?: Tracer;
  now?: () => Date;
  /** Allowed clock difference for notify callbacks. Default 300. */
  notifyClockToleranceSeconds?: number;
  /** Largest request body. Default 16kb. */
  bodyLimit?: string;
  /** CloudEvents `source`. Default /paystream/gateway. */
  eventSource?: string;
  /** The upstream client's whole-call deadline. Default 10000; sets when an intent is stale. */
  upstreamTimeoutMs?: number;
}

/** The app and the intent sweeper its process runs (start-up and periodic). */
export interface Gateway {
  app: Express;
  sweeper: IntentSweeper;
}

/** Builds the gateway's Express app without listening (supertest it, or pass it to http.createServer). */
export function createServer(deps: GatewayDeps): Express {
  return createGateway(deps).app;
}

/** The app plus its intent sweeper (which `startGateway` starts and stops). */
export function createGateway(deps: GatewayDeps): Gateway {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const tracer = deps.tracer ?? trace.getTracer('@paystream/gateway');
  const bodyLimit = deps.bodyLimit ?? '16kb';
  const notifyUrl = typeof deps.notifyUrl === 'string' ? () => deps.notifyUrl as string : deps.notifyUrl;
  // Codes outside the catalog and unknown wallets are labelled `unknown`: bounded label values.
  // Codes that page exist at 0 from the start, so the alert rule's increase() sees their first one.
  const bounds = {
    isKnownCode: isStatusCode,
    isKnownWallet: isWallet,
    zeroSeries: catalog
      .filter((e) => e.alert)
      .flatMap((e) => e.operations.map((operation) => ({ operation, code: e.code, category: e.category }))),
  };
  const upstream = instrumentUpstream(deps.upstream, tracer, upstreamMetrics(deps.registry, bounds));
  nodeMetrics(deps.registry);
  upstreamCodeInfo(deps.registry, catalog);
  upstreamPoolMetrics(deps.registry, () => deps.upstream.poolStats());
  const recorder = new Recorder({
    db: deps.db,
    enqueue: deps.enqueueEvents,
    source: deps.eventSource ?? '/paystream/gateway',
    now,
    ...(deps.wakeOutbox ? { afterCommit: deps.wakeOutbox } : {}),
  });
  const lock = new OrderLock();
  const payments = new PaymentService({ db: deps.db, upstream, recorder, notifyUrl, lock });
  const refunds = new RefundService({ db: deps.db, upstream, recorder, payments, lock });
  const notifications = new NotificationService({
    db: deps.db,
    recorder,
    credentials: deps.upstreamCredentials,
    toleranceSeconds: deps.notifyClockToleranceSeconds ?? 300,
    rejected: notificationsRejectedCounter(deps.registry),
    now,
    lock,
  });
  const staleAfterMs = worstCaseRequestMs(deps.upstreamTimeoutMs ?? 10_000);
  const idempotency = new IdempotencyStore(deps.db, now, staleAfterMs);
  const sweeper = new IntentSweeper({ db: deps.db, payments, refunds, staleAfterMs, now, logger });
  const keys = new ApiKeyStore(deps.apiKeys);
  if (keys.size === 0) logger.warn({}, 'no API keys configured: every /v1/payments request will be refused');

  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => sql`select 1 as one`.execute(deps.db).then(() => ({ ok: true })) },
    { name: 'bus', check: () => deps.bus.health() },
    { name: 'upstream', check: () => reachable(deps.upstreamBaseUrl) },
  ];

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(httpTracing(tracer, httpRequestsCounter(deps.registry), logger));
  app.use(healthRouter({ checks, registry: deps.registry }));
  const openapi = openApiDocument();
  mount(app, getOpenApiDocument, (_req, res) => {
    res.json(openapi);
  });
  app.use(notificationsRouter({ notifications, bodyLimit }));
  app.use(paymentsRouter({ payments, refunds, idempotency, keys, bodyLimit }));
  app.use((req, _res, next) => next(new NotFoundError(`No route ${req.method} ${req.path}`)));
  app.use(problemMiddleware(logger, gatewayStatusOf));
  return { app, sweeper };
}

/** Whether something accepts TCP connections at the URL's host and port. */
function reachable(baseUrl: string): Promise<{ ok: boolean; detail?: string }> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port });
    socket.setTimeout(1_500);
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, detail: 'connect timed out' });
    });
    socket.once('error', (err) =>
      resolve({ ok: false, detail: (err as NodeJS.ErrnoException).code ?? 'unreachable' }),
    );
  });
}
