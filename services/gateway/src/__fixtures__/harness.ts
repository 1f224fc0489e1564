// Test harness: a real sandbox on a loopback port, a gateway listening on another (the sandbox
// calls its notify URL), a real bus (embedded or Kafka) with an outbox relay, and a collector
// group that records what reached the bus. Flushes are explicit so tests never wait on timers.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, createOutboxRelay, type EventBus, enqueueEvents, type OutboxRelay } from '@paystream/bus';
import { kafkaTestBrokers } from '@paystream/bus/testing';
import { hashApiKey } from '@paystream/config';
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import {
  createTestDatabase,
  type OutageProxy,
  startOutageProxy,
  type TestDatabase,
} from '@paystream/db/testing';
import type { PaystreamEvent } from '@paystream/events';
import { createUpstreamClient, type UpstreamClient } from '@paystream/upstream-client';
import {
  type PayAnswer,
  type RunningSandbox,
  SANDBOX_DEV_CREDENTIALS,
  type SandboxControls,
  type StartSandboxOptions,
  sandboxControls,
  startSandbox,
} from '@paystream/upstream-sandbox';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { prepareDatabase } from '../database.js';
import type { SweepResult } from '../payments/sweeper.js';
import { createGateway, type GatewayLogger } from '../server.js';
import type { GatewaySchema } from '../store/schema.js';

export const FULL_KEY = 'psk_test_full_0123456789';
export const ROTATED_KEY = 'psk_test_rotated_abcdef';
export const READ_KEY = 'psk_test_read_only_xyz';
export const OTHER_CALLER_KEY = 'psk_test_other_caller_1';
/** Creates and closes payments, but may not move money back (no refunds:write). */
export const WRITE_ONLY_KEY = 'psk_test_write_only_42';
/** The checkout caller's reporting key: reads only. */
export const CHECKOUT_READ_KEY = 'psk_test_checkout_read_7';

export const API_KEYS = [
  {
    caller: 'checkout',
    sha256: hashApiKey(FULL_KEY),
    scopes: ['payments:read', 'payments:write', 'refunds:write'],
  },
  {
    caller: 'checkout',
    sha256: hashApiKey(ROTATED_KEY),
    scopes: ['payments:read', 'payments:write', 'refunds:write'],
  },
  { caller: 'reports', sha256: hashApiKey(READ_KEY), scopes: ['payments:read'] },
  {
    caller: 'other',
    sha256: hashApiKey(OTHER_CALLER_KEY),
    scopes: ['payments:read', 'payments:write', 'refunds:write'],
  },
  { caller: 'checkout', sha256: hashApiKey(WRITE_ONLY_KEY), scopes: ['payments:read', 'payments:write'] },
  { caller: 'checkout', sha256: hashApiKey(CHECKOUT_READ_KEY), scopes: ['payments:read'] },
] as const;

export interface HarnessOptions {
  transport: 'embedded' | 'kafka';
  database: 'sqlite' | 'postgres';
  /** The gateway's upstream deadline. Short, so timeout faults resolve fast. */
  upstreamTimeoutMs?: number;
  /** Sandbox options beyond the harness's (e.g. a short notify timeout). */
  sandbox?: Partial<StartSandboxOptions>;
  /** The gateway's upstream pool size (the client's default when unset). */
  upstreamConnections?: number;
  /** PostgreSQL through a proxy the test can cut (`databaseProxy`), as a restart or failover would. */
  databaseProxy?: boolean;
}

export interface LogLine {
  level: string;
  obj: object;
  msg?: string | undefined;
}

export interface Harness {
  app: Express;
  http: ReturnType<typeof supertest>;
  sandbox: RunningSandbox;
  bus: EventBus;
  relay: OutboxRelay;
  db: Kysely<GatewaySchema>;
  registry: Registry;
  logs: LogLine[];
  /** Every event the collector group has received. */
  received: PaystreamEvent[];
  nextNo(prefix?: string): string;
  /** Publishes the outbox and waits until the collector has seen every event published so far. */
  settle(): Promise<PaystreamEvent[]>;
  eventsFor(outTradeNo: string): Promise<PaystreamEvent[]>;
  outboxCount(): Promise<number>;
  fault: SandboxControls['fault'];
  /** Every sandbox control (lag, forget, redeliver, order). */
  controls: SandboxControls;
  /** A client signed as the gateway's merchant, for calls that bypass the gateway. */
  upstream: UpstreamClient;
  /** Settles stale intents now (what the sweeper does periodically). */
  sweep(): Promise<SweepResult>;
  /** With `databaseProxy`: cuts and restores the gateway's connections to its database. */
  databaseProxy?: OutageProxy;
  pay(outTradeNo: string): Promise<PayAnswer>;
  /** POST with the full key and JSON body. */
  post(path: string, body?: unknown, headers?: Record<string, string>): supertest.Test;
  get(path: string, key?: string): supertest.Test;
  close(): Promise<void>;
}

/** Starts everything; `close()` stops it and drops the databases. */
export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const run = randomBytes(4).toString('hex');
  const tmp = mkdtempSync(join(tmpdir(), 'paystream-gateway-'));
  const registry = new Registry();
  const logs: LogLine[] = [];
  const log =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj, msg });
    };
  const logger: GatewayLogger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };

  const sandbox = await startSandbox({ port: 0, notifyRetryDelaysMs: [20, 40], ...opts.sandbox });
  const controls = sandboxControls(sandbox.url);
  const testDb: TestDatabase = await createTestDatabase(opts.database);
  const proxy = opts.databaseProxy ? await startOutageProxy(testDb.url) : undefined;
  const database: Database<GatewaySchema> = openDatabase<GatewaySchema>({
    url: proxy?.url ?? testDb.url,
    ...(proxy ? { onIdleConnectionError: () => undefined } : {}),
  });
  await prepareDatabase(database.db as Kysely<unknown>);

  let bus: EventBus;
  if (opts.transport === 'kafka') {
    const brokers = kafkaTestBrokers();
    bus = await createBus({
      kafkaBrokers: brokers,
      topic: `payments.events.v1.gateway-test-${run}`,
      registry,
      logger,
    });
  } else {
    bus = await createBus({ embeddedFile: join(tmp, 'bus.sqlite'), registry, logger });
  }
  const relay = createOutboxRelay({ db: database.db, bus, registry, logger });

  const upstream: UpstreamClient = createUpstreamClient({
    baseUrl: sandbox.url,
    credentials: SANDBOX_DEV_CREDENTIALS,
    timeoutMs: opts.upstreamTimeoutMs ?? 400,
    logger,
    ...(opts.upstreamConnections ? { connections: opts.upstreamConnections } : {}),
  });
  let port = 0;
  const { app, sweeper } = createGateway({
    db: database.db,
    upstream,
    upstreamCredentials: SANDBOX_DEV_CREDENTIALS,
    upstreamBaseUrl: sandbox.url,
    bus,
    enqueueEvents,
    apiKeys: API_KEYS.map((k) => ({ ...k, scopes: [...k.scopes] })),
    notifyUrl: () => `http://127.0.0.1:${port}/v1/notifications/upstream`,
    registry,
    logger,
    upstreamTimeoutMs: opts.upstreamTimeoutMs ?? 400,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  const received: PaystreamEvent[] = [];
  const subscription = await bus.subscribe(
    `gateway-test-collector-${run}`,
    async (event) => {
      received.push(event);
    },
    { fromBeginning: true },
  );
  let published = 0;
  let counter = 0;
  const http = supertest(app);

  const harness: Harness = {
    app,
    http,
    sandbox,
    bus,
    relay,
    db: database.db,
    registry,
    logs,
    received,
    nextNo: (prefix = 'ord') => `${prefix}-${run}-${++counter}`,
    async settle() {
      published += await relay.flush();
      // Delivery is asynchronous; poll until the collector caught up (the test timeout bounds it).
      while (new Set(received.map((e) => e.id)).size < published) await new Promise((r) => setTimeout(r, 20));
      return received;
    },
    async eventsFor(outTradeNo) {
      await harness.settle();
      return received
        .filter((e) => e.subject === outTradeNo)
        .sort((a, b) => a.data.sequence - b.data.sequence);
    },
    async outboxCount() {
      const outbox = database.db as unknown as Kysely<{ paystream_outbox: { event_id: string } }>;
      const row = await outbox
        .selectFrom('paystream_outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    fault: (input) => controls.fault(input),
    controls,
    upstream,
    sweep: () => sweeper.sweep(),
    ...(proxy ? { databaseProxy: proxy } : {}),
    pay: (outTradeNo) => controls.pay(outTradeNo),
    post(path, body, headers = {}) {
      const req = http.post(path).set('authorization', `Bearer ${FULL_KEY}`);
      for (const [k, v] of Object.entries(headers)) req.set(k, v);
      return body === undefined ? req : req.send(body as object);
    },
    get(path, key = FULL_KEY) {
      return http.get(path).set('authorization', `Bearer ${key}`);
    },
    async close() {
      await subscription.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await relay.stop();
      await bus.close();
      await upstream.destroy();
      await sandbox.close();
      await database.destroy();
      await proxy?.close();
      await testDb.drop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A valid create body. */
export function createBody(outTradeNo: string, over: Record<string, unknown> = {}) {
  return { outTradeNo, amount: '10.00', currency: 'HKD', wallet: 'WECHATHK', ...over };
}
