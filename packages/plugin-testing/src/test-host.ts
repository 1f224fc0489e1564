// startTestHost: a plugin's test in a few lines, with real wiring (the embedded bus or Kafka,
// SQLite or PostgreSQL, the host's HTTP surface on a free port). It runs the real host rather than
// a stand-in so a plugin's suite proves what production does: delivery, retries, dead letters.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEmbeddedBus,
  createKafkaBus,
  type EventBus,
  type RawRecord,
  type RedriveResult,
} from '@paystream/bus';
import { kafkaTestBrokers, uniqueTopic, waitFor } from '@paystream/bus/testing';
import { hashApiKey, type RetentionConfig, SCOPES } from '@paystream/config';
import { type Database, openDatabase } from '@paystream/db';
import { createTestDatabase, type TestDatabase } from '@paystream/db/testing';
import { type CloudEventEnvelope, LEDGER_ENTRIES_TOPIC, type PaystreamEvent } from '@paystream/events';
import { silentLogger } from '@paystream/logger';
import {
  createHostApp,
  createPluginHost,
  type PluginHost,
  pluginGroup,
  runCli,
  type TopicBus,
} from '@paystream/plugin-runtime';
import type { PaystreamPlugin } from '@paystream/plugin-sdk';
import type { UpstreamClient } from '@paystream/upstream-client';
import { Registry } from 'prom-client';

/** Options of {@link startTestHost}. */
export interface TestHostOptions {
  plugins: readonly PaystreamPlugin[];
  /** Default 'sqlite' (a temporary file); 'postgres' creates a database on the local server. */
  database?: 'sqlite' | 'postgres';
  /** Default 'embedded' (a temporary file); 'kafka' uses KAFKA_BROKERS and a topic of its own. */
  transport?: 'embedded' | 'kafka';
  /** For plugins that query the aggregator (the sandbox's client in tests). */
  upstream?: UpstreamClient;
  env?: Record<string, string | undefined>;
  /** The plugin outbox relay's poll. Default 20 ms (tests that show the wake make it long). */
  outboxPollIntervalMs?: number;
  /** Retention of the plugin outbox and processed ids; default the configuration's. */
  retention?: RetentionConfig;
}

/** An HTTP answer of the test host. */
export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the route answered.
  body: any;
}

/** A running test host. */
export interface TestHost {
  host: PluginHost;
  bus: EventBus;
  database: Database;
  registry: Registry;
  /** http://127.0.0.1:<port> of the host's routes. */
  url: string;
  /** A key with every scope (`apiKeyWith` makes narrower ones). */
  apiKey: string;
  /** Publishes payment events and waits until every plugin has handled them. */
  publish(events: readonly PaystreamEvent[]): Promise<void>;
  /** Waits until no plugin lags and the plugin outbox is sent. */
  settle(): Promise<void>;
  /** Calls a route with the all-scopes key (or `apiKey`; `null` sends none). */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; apiKey?: string | null },
  ): Promise<TestResponse>;
  /** A key holding only `scopes`, accepted by this host. */
  apiKeyWith(...scopes: (typeof SCOPES)[number][]): string;
  /** What plugins published on a topic so far (embedded transport). */
  published(topic: string): Promise<CloudEventEnvelope[]>;
  deadLetters(id: string): ReturnType<PluginHost['deadLetters']>;
  redrive(id: string): Promise<RedriveResult>;
  /** Runs the host's CLI (`paystream-plugin-host <args>`) against this host, with the all-scopes key or `apiKey`. */
  cli(args: readonly string[], opts?: { apiKey?: string }): Promise<{ code: number; lines: string[] }>;
  /** Moves a plugin's group back to the first event (stops and restarts its consumer). */
  replay(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a plugin host for a test: `const t = await startTestHost({ plugins: [myPlugin()] })`. */
export async function startTestHost(opts: TestHostOptions): Promise<TestHost> {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-test-host-'));
  const testDb: TestDatabase = await createTestDatabase(opts.database ?? 'sqlite');
  const database = openDatabase({ url: testDb.url });
  const registry = new Registry();
  const transport = opts.transport ?? 'embedded';
  const topic = transport === 'kafka' ? uniqueTopic('plugins') : 'payments.events.v1';
  // The ledger's topic too (ERP connectors read it); on Kafka a topic of this run's own.
  const ledgerTopic = transport === 'kafka' ? uniqueTopic('ledger') : LEDGER_ENTRIES_TOPIC;
  const openBus = async (t = topic): Promise<TopicBus> =>
    transport === 'kafka'
      ? createKafkaBus({
          brokers: kafkaTestBrokers(),
          topic: t,
          registry,
          clientId: 'test-host',
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 500,
          maxWaitTimeMs: 100,
          partitions: 3,
        })
      : createEmbeddedBus({ file: join(dir, 'bus.sqlite'), topic: t, registry, pollIntervalMs: 20 });
  let bus = await openBus();
  let ledgerBus = await openBus(ledgerTopic);
  const keys = new Map<string, string>();
  const keyFor = (scopes: readonly string[]) => {
    const id = [...scopes].sort().join(',');
    let key = keys.get(id);
    if (!key) {
      key = `psk_test_${keys.size}_${Math.random().toString(36).slice(2)}`;
      keys.set(id, key);
    }
    return key;
  };
  const allScopes = keyFor(SCOPES);
  // Keys are fixed when the host starts: make one per scope and every scope up front.
  for (const s of SCOPES) keyFor([s]);
  const apiKeys = [...keys.entries()].map(([scopes, key], i) => ({
    caller: `test-${i}`,
    sha256: hashApiKey(key),
    scopes: scopes.split(',') as (typeof SCOPES)[number][],
  }));
  const env = { ...opts.env };
  const build = async () => {
    const host = createPluginHost({
      plugins: opts.plugins,
      bus,
      topicBuses: { [LEDGER_ENTRIES_TOPIC]: ledgerBus },
      database,
      registry,
      apiKeys,
      logger: silentLogger,
      env,
      dataDir: join(dir, 'plugins'),
      outboxPollIntervalMs: opts.outboxPollIntervalMs ?? 20,
      retryBackoffMs: 10,
      ...(opts.upstream ? { upstream: opts.upstream } : {}),
      ...(opts.retention ? { retention: opts.retention } : {}),
    });
    await host.start();
    return host;
  };
  let host: PluginHost;
  try {
    host = await build();
  } catch (err) {
    // A plugin the host refused: leave nothing behind.
    await bus.close();
    await database.destroy();
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const app = () => createHostApp(host, { logger: silentLogger, registry, health: { bus } });
  let handler = app();
  // `replay()` swaps the app behind the same server, so the URL stays the same.
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const caughtUp = async () => (await host.status()).every((s) => s.lag === 0);
  const settle = async () => {
    // What plugins publish (ledger entries) is consumed by others (ERP connectors): repeat until
    // a round publishes nothing new. The background relay may publish between the lag check and
    // the flush, so a round is quiet only when the lags are still zero after the flush.
    for (;;) {
      await waitFor('every plugin to catch up', caughtUp, { timeoutMs: 60_000 });
      if ((await host.flushOutbox()) === 0 && (await caughtUp())) return;
    }
  };

  return {
    get host() {
      return host;
    },
    get bus() {
      return bus;
    },
    database,
    registry,
    url,
    apiKey: allScopes,
    apiKeyWith: (...scopes) => {
      const key = keys.get([...scopes].sort().join(','));
      if (!key)
        throw new Error(`startTestHost made keys for one scope or all of them, not for ${scopes.join('+')}`);
      return key;
    },
    async publish(events) {
      await bus.publish(events);
      await settle();
    },
    settle,
    async request(method, path, o = {}) {
      const key = o.apiKey === undefined ? allScopes : o.apiKey;
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, headers: res.headers, body };
    },
    async published(t) {
      const reader = bus as EventBus & { read?: (topic: string) => Promise<RawRecord[]> };
      if (!reader.read) throw new Error('published() reads the embedded log; use the embedded transport');
      const rows = await reader.read(t);
      return rows.map((r) => ({
        specversion: '1.0',
        id: r.headers.ce_id ?? '',
        type: r.headers.ce_type ?? '',
        source: r.headers.ce_source ?? '',
        subject: r.headers.ce_subject ?? r.key ?? '',
        time: r.headers.ce_time ?? '',
        datacontenttype: 'application/json',
        data: r.value === null ? null : JSON.parse(r.value),
      }));
    },
    async cli(args, o = {}) {
      const lines: string[] = [];
      const env = { PAYSTREAM_HOST_URL: url, PAYSTREAM_API_KEY: o.apiKey ?? allScopes };
      const code = await runCli(args, env, (l) => lines.push(l));
      return { code, lines };
    },
    deadLetters: (id) => host.deadLetters(id),
    redrive: (id) => host.redrive(id),
    async replay() {
      await host.close();
      for (const id of host.plugins) {
        await bus.resetOffsets(pluginGroup(id));
        await ledgerBus.resetOffsets(pluginGroup(id));
      }
      // A fresh bus stands for a restarted process; the database (ledger, dedupe) stays.
      await bus.close();
      await ledgerBus.close();
      bus = await openBus();
      ledgerBus = await openBus(ledgerTopic);
      host = await build();
      handler = app();
    },
    async close() {
      await host.close();
      const closed = new Promise<void>((res) => server.close(() => res()));
      server.closeAllConnections();
      await closed;
      await bus.close();
      await ledgerBus.close();
      await database.destroy();
      await testDb.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
