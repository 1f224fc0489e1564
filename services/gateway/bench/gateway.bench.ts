// What the gateway costs on top of the upstream call, end to end over real loopback HTTP: the
// gateway as `startGateway` runs it (Express, API key, zod, Idempotency-Key, SQLite store,
// transactional outbox, outbox relay publishing to the embedded bus) in front of the in-process
// sandbox. Each `describe` is one comparison: the first bench goes through the gateway, the second
// is its baseline, the upstream client calling the same sandbox directly, both measured in this
// run; vitest prints the ratio ("x times faster than"). Run with `pnpm --filter
// @paystream/gateway bench` or `make bench`. Numbers and how to read them: docs/benchmarks.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBus, type EventBus } from '@paystream/bus';
import { hashApiKey, loadConfig, SCOPES } from '@paystream/config';
import { minorUnits } from '@paystream/money';
import { createUpstreamClient } from '@paystream/upstream-client';
import { SANDBOX_DEV_CREDENTIALS, startSandbox } from '@paystream/upstream-sandbox';
import { Agent, request } from 'undici';
import { afterAll, type BenchOptions, bench, describe } from 'vitest';
import { startGateway } from '../src/index.js';

const API_KEY = 'psk_bench_0123456789abcdef';
const run = randomBytes(4).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'paystream-gateway-bench-'));

const sandbox = await startSandbox({ port: 0 });
// Every request the sandbox receives, whoever sends it: shows the replay arm makes no upstream call.
let upstreamRequests = 0;
sandbox.server.on('request', () => upstreamRequests++);

// The bus the relay publishes to, wrapped only to measure how far the relay lags behind the
// commits: `time` is when the upstream answer was recorded, so now − time is the outbox lag.
const innerBus = await createBus({ embeddedFile: join(tmp, 'bus.sqlite') });
const relayed = { events: 0, maxLagMs: 0 };
const bus: EventBus = {
  ...innerBus,
  async publish(events) {
    const now = Date.now();
    for (const e of events) relayed.maxLagMs = Math.max(relayed.maxLagMs, now - Date.parse(e.time));
    relayed.events += events.length;
    await innerBus.publish(events);
  },
};

// Configured the way a deployment is: environment variables through loadConfig (hashed key,
// SQLite file, default outbox poll interval of 200 ms, default upstream timeout).
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: `sqlite:${join(tmp, 'gateway.sqlite')}`,
  EMBEDDED_BUS_FILE: join(tmp, 'bus.sqlite'),
  PAYSTREAM_API_KEYS: JSON.stringify([{ caller: 'bench', sha256: hashApiKey(API_KEY), scopes: [...SCOPES] }]),
});
const gateway = await startGateway({
  config,
  upstreamBaseUrl: sandbox.url,
  upstreamCredentials: SANDBOX_DEV_CREDENTIALS,
  bus,
});

// The caller's side: one keep-alive connection pool, one request in flight.
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
// The baseline: the upstream client exactly as the gateway builds it (keep-alive pool, same timeout).
const upstream = createUpstreamClient({
  baseUrl: sandbox.url,
  credentials: SANDBOX_DEV_CREDENTIALS,
  timeoutMs: config.upstream.timeoutMs,
});

let counter = 0;
const nextNo = (prefix: string) => `${prefix}-${run}-${++counter}`;
const createBody = (outTradeNo: string) =>
  JSON.stringify({ outTradeNo, amount: '12.34', currency: 'HKD', wallet: 'WECHATHK', description: 'bench' });

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; replayed: boolean; json: Record<string, unknown> }> {
  const res = await request(`${gateway.url}${path}`, {
    method,
    dispatcher: agent,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body }),
  });
  // A caller reads the answer: the JSON is parsed in every arm, as the upstream client does.
  const json = (await res.body.json()) as Record<string, unknown>;
  return { status: res.statusCode, replayed: res.headers['idempotent-replayed'] === 'true', json };
}

function check(ok: boolean, what: string, got: unknown): void {
  if (!ok) throw new Error(`${what}: ${JSON.stringify(got)}`);
}

async function gatewayCreate(outTradeNo: string, headers?: Record<string, string>) {
  const r = await call('POST', '/v1/payments', createBody(outTradeNo), headers);
  check(r.status === 201 && r.json.status === 'pending', 'gateway create', r);
  return r;
}

async function upstreamCreate(outTradeNo: string) {
  const r = await upstream.createPayment({
    outTradeNo,
    amount: minorUnits(12_34),
    currency: 'HKD',
    wallet: 'WECHATHK',
    notifyUrl: `${gateway.url}/v1/notifications/upstream`,
    description: 'bench',
  });
  check(r.outcome === 'success', 'upstream create', r);
}

// Setup, checked so every figure comes from the success path: a replayable create with its key,
// and an order to read back through both paths.
const replayKey = `bench-key-${run}`;
const replayNo = nextNo('replay');
await gatewayCreate(replayNo, { 'idempotency-key': replayKey });
const replayed = await call('POST', '/v1/payments', createBody(replayNo), { 'idempotency-key': replayKey });
check(replayed.status === 201 && replayed.replayed, 'idempotent replay', replayed);
const readNo = nextNo('read');
await gatewayCreate(readNo);
const read = await call('GET', `/v1/payments/${readNo}`);
check(read.status === 200 && read.json.status === 'pending', 'gateway read', read);
const queried = await upstream.queryPayment({ outTradeNo: readNo, wallet: 'WECHATHK' });
check(queried.outcome === 'success' && queried.data.status === 'pending', 'upstream query', queried);

/** Per arm: measured calls and upstream requests during its measured run (warm-up excluded). */
const arms: { name: string; calls: number; upstream: number; start: number }[] = [];
const TIME = 3_000;
const WARMUP = 500;

/**
 * One arm: the function counted, and bench options. Before the warm-up and before the measured
 * run the outbox is flushed, so no arm pays for relaying the events another arm recorded; during
 * a run the relay keeps polling every 200 ms as it does in production, so the create arm pays for
 * relaying its own events.
 */
function arm(name: string, fn: () => Promise<void>): [string, () => Promise<void>, BenchOptions] {
  const a = { name, calls: 0, upstream: 0, start: 0 };
  arms.push(a);
  const options: BenchOptions = {
    time: TIME,
    warmupTime: WARMUP,
    setup: async (_task, mode) => {
      await gateway.relay.flush();
      if (mode === 'run') {
        a.calls = 0;
        a.start = upstreamRequests;
      }
    },
    // tinybench does not await teardown: it only reads a counter.
    teardown: (_task, mode) => {
      if (mode === 'run') a.upstream = upstreamRequests - a.start;
    },
  };
  const counted = async () => {
    a.calls++;
    await fn();
  };
  return [name, counted, options];
}

const baselineCreate = () => upstreamCreate(nextNo('up'));

describe('create a payment, one call in flight', () => {
  bench(
    ...arm('gateway: POST /v1/payments (new outTradeNo)', () => gatewayCreate(nextNo('gw')).then(() => {})),
  );
  bench(...arm('baseline: upstream.createPayment directly', baselineCreate));
});

describe('replay a create with the same Idempotency-Key and body (answered from the store)', () => {
  const body = createBody(replayNo);
  bench(
    ...arm('gateway: POST /v1/payments, Idempotency-Key replay', async () => {
      const r = await call('POST', '/v1/payments', body, { 'idempotency-key': replayKey });
      check(r.status === 201 && r.replayed, 'idempotent replay', r);
    }),
  );
  bench(...arm('baseline: upstream.createPayment directly', baselineCreate));
});

describe('read a payment (the gateway queries the upstream and compares)', () => {
  bench(
    ...arm('gateway: GET /v1/payments/{outTradeNo}', async () => {
      const r = await call('GET', `/v1/payments/${readNo}`);
      check(r.status === 200 && r.json.status === 'pending', 'gateway read', r);
    }),
  );
  bench(
    ...arm('baseline: upstream.queryPayment directly', async () => {
      const r = await upstream.queryPayment({ outTradeNo: readNo, wallet: 'WECHATHK' });
      check(r.outcome === 'success', 'upstream query', r);
    }),
  );
});

afterAll(async () => {
  const flushed = await gateway.relay.flush();
  const pending = await gateway.relay.pending();
  for (const a of arms) console.info(`[bench] ${a.name}: ${a.calls} calls, ${a.upstream} upstream requests`);
  // Evidence that the relay kept up: every recorded event reached the bus, none is left behind.
  console.info(
    `[bench] outbox: ${relayed.events} events relayed, largest lag ${relayed.maxLagMs} ms ` +
      `(poll interval ${config.outboxPollIntervalMs} ms), ${flushed} left for the final flush, ${pending} pending`,
  );
  await gateway.close();
  await innerBus.close();
  await Promise.all([agent.close(), upstream.destroy()]);
  await sandbox.close();
  rmSync(tmp, { recursive: true, force: true });
  if (pending !== 0) throw new Error(`${pending} outbox rows were never relayed`);
});
