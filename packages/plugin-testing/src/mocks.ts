// Light stand-ins for the host's services, for a plugin's unit test that needs no database, bus or
// HTTP server: the test calls `setup` and `handle` itself and reads what the mocks recorded. Anything
// that depends on delivery (retries, dead letters, batches, the outbox) belongs in startTestHost.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudEventEnvelope } from '@paystream/events';
import type { ChildLogger } from '@paystream/logger';
import type {
  PluginConfig,
  PluginHttpClient,
  PluginMetrics,
  PluginPublisher,
  PluginScheduler,
  UpstreamOrderView,
  UpstreamQuery,
} from '@paystream/plugin-sdk';
import { Counter, Gauge, type Metric, Registry } from 'prom-client';

/** One line a {@link mockLogger} received. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string | undefined;
}

/** A logger that keeps every line (children's included, with their bindings merged in). */
export function mockLogger(): ChildLogger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const make = (bindings: Record<string, unknown>): ChildLogger => {
    const at = (level: LoggedLine['level']) => (obj: object, msg?: string) =>
      lines.push({ level, fields: { ...bindings, ...obj }, msg });
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}

function once<T extends Metric>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Metrics on a registry of the test's own (read them with `registry.metrics()`). */
export function mockMetrics(registry = new Registry()): PluginMetrics {
  return {
    registry,
    counter: (c) => once(registry, c.name, () => new Counter({ ...c, registers: [registry] })),
    gauge: (c) => once(registry, c.name, () => new Gauge({ ...c, registers: [registry] })),
  };
}

/** Configuration from a plain map, with a fresh temporary folder as `dataDir`. */
export function mockConfig(env: Record<string, string | undefined> = {}): PluginConfig {
  const dataDir = mkdtempSync(join(tmpdir(), 'paystream-plugin-data-'));
  return { get: (name) => env[name], dataDir };
}

/** A scheduler that runs nothing by itself: the test runs a job with `run(name)`. */
export function mockScheduler(): PluginScheduler & { run(name: string): Promise<void>; names(): string[] } {
  const jobs = new Map<string, (signal: AbortSignal) => Promise<void>>();
  return {
    every: (name, _intervalMs, job) => void jobs.set(name, job),
    names: () => [...jobs.keys()],
    async run(name) {
      const job = jobs.get(name);
      if (!job) throw new Error(`no job named ${name} (scheduled: ${[...jobs.keys()].join(', ')})`);
      await job(new AbortController().signal);
    },
  };
}

/** One event a {@link mockPublisher} was given. */
export interface PublishedEvent {
  topic: string;
  event: CloudEventEnvelope;
}

/** A publisher that keeps what it is given, whatever transaction it is passed. */
export function mockPublisher(): PluginPublisher & { published: PublishedEvent[] } {
  const published: PublishedEvent[] = [];
  return {
    published,
    async publish(_trx, topic, events) {
      for (const event of events) published.push({ topic, event });
    },
  };
}

/** One request a {@link mockHttpClient} was given. */
export interface SentRequest {
  url: string;
  init: RequestInit & { timeoutMs?: number };
}

/** An HTTP client answering with `respond` (default 204) and keeping every request. */
export function mockHttpClient(
  respond: (req: SentRequest) => Response | Promise<Response> = () => new Response(null, { status: 204 }),
): PluginHttpClient & { requests: SentRequest[] } {
  const requests: SentRequest[] = [];
  return {
    requests,
    async fetch(url, init = {}) {
      const req = { url: String(url), init };
      requests.push(req);
      return respond(req);
    },
  };
}

/** The aggregator's query answering from a map; an order it does not hold is `not_found`. */
export function mockUpstream(orders: Record<string, UpstreamOrderView> = {}): UpstreamQuery {
  return {
    async queryOrder(outTradeNo) {
      return orders[outTradeNo] ?? { outcome: 'not_found', outTradeNo, code: '31' };
    },
  };
}
