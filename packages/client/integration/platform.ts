// The real platform for the client's suites: the all-in-one as `make start` runs it (gateway,
// sandbox as upstream, embedded bus, SQLite) on ephemeral ports and temporary files, with a short
// upstream deadline so timeouts settle in seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AllInOne, startAllInOne } from '@paystream/allinone';
import { loadConfig } from '@paystream/config';
import { type SandboxControls, sandboxControls } from '@paystream/upstream-sandbox';
import { pino } from 'pino';

export interface Platform {
  gatewayUrl: string;
  sandboxUrl: string;
  devKey: string;
  sandbox: SandboxControls;
  /** The sandbox's own record of an order (404: it never saw it). */
  sandboxOrder(outTradeNo: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Resolves once every armed fault was taken by a call (the call is then in flight upstream). */
  faultsTaken(): Promise<void>;
  /** `paystream_upstream_requests_total{operation, code}` as the gateway counts it now. */
  upstreamCalls(operation: string, code?: string): Promise<number>;
  close(): Promise<void>;
}

export const UPSTREAM_TIMEOUT_MS = 1_500;

export async function startPlatform(): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-client-'));
  const config = loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite'),
    OUTBOX_POLL_INTERVAL_MS: '20',
    UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
  });
  const platform: AllInOne = await startAllInOne(config, pino({ level: 'silent' }));
  const sandboxUrl = platform.sandbox!.url;
  // The all-in-one has a development key only with its bundled sandbox, which this one runs.
  if (!platform.devKey) throw new Error('the all-in-one started without a development key');
  const devKey = platform.devKey;
  return {
    gatewayUrl: platform.gateway.url,
    sandboxUrl,
    devKey,
    sandbox: sandboxControls(sandboxUrl),
    async sandboxOrder(outTradeNo) {
      const res = await fetch(`${sandboxUrl}/__sandbox/orders/${encodeURIComponent(outTradeNo)}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async faultsTaken() {
      for (;;) {
        const { faults } = (await (await fetch(`${sandboxUrl}/__sandbox/faults`)).json()) as {
          faults: unknown[];
        };
        if (faults.length === 0) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async upstreamCalls(operation, code = '00') {
      const text = await (await fetch(`${platform.gateway.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(`paystream_upstream_requests_total{operation="${operation}",code="${code}",`),
        );
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    },
    async close() {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch that records every request the client sends, then sends it. */
export function recordingFetch(): {
  fetch: (request: Request) => Promise<Response>;
  sent: { method: string; url: string; idempotencyKey: string | null; traceparent: string | null }[];
} {
  const sent: { method: string; url: string; idempotencyKey: string | null; traceparent: string | null }[] =
    [];
  return {
    sent,
    fetch(request) {
      sent.push({
        method: request.method,
        url: request.url,
        idempotencyKey: request.headers.get('idempotency-key'),
        traceparent: request.headers.get('traceparent'),
      });
      return fetch(request);
    },
  };
}
