// The all-in-one as `make start` runs it (embedded bus, SQLite, the sandbox), in this process, on
// free ports, with tracing on so the latency histograms carry trace exemplars. Spans go to an
// in-memory exporter: a process that exports nothing records no spans, and an exemplar must name
// a trace that was kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AllInOne, startAllInOne } from '@paystream/allinone';
import { loadConfig } from '@paystream/config';
import { startTracing, type Tracing } from '@paystream/telemetry';
import { InMemorySpanExporter } from '@paystream/telemetry/testing';
import { type SandboxControls, sandboxControls } from '@paystream/upstream-sandbox';
import { pino } from 'pino';

export interface Platform {
  allInOne: AllInOne;
  /** host:port of the gateway, for the scrape config. */
  target: string;
  sandbox: SandboxControls;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

export async function startPlatform(): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-obs-'));
  const tracing: Tracing = startTracing({
    serviceName: 'paystream-prometheus-test',
    exporter: new InMemorySpanExporter(),
  });
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
    OUTBOX_POLL_INTERVAL_MS: '20',
  });
  const allInOne = await startAllInOne(config, pino({ level: 'silent' }));
  const gateway = new URL(allInOne.gateway.url);
  return {
    allInOne,
    target: gateway.host,
    sandbox: sandboxControls(allInOne.sandbox!.url),
    async call(method, path, body) {
      const res = await fetch(new URL(path, gateway), {
        method,
        headers: {
          authorization: `Bearer ${allInOne.devKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await allInOne.close();
      await tracing.shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
