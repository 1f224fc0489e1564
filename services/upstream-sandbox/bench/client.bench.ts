// The upstream client against the in-process sandbox over real loopback HTTP, and the CPU work
// around each call (signing, verifying the notify callback). Each `describe` is one comparison:
// the first bench is what ships, the second its baseline, both measured in this run; vitest
// prints the ratio ("x times faster than"). Run with `pnpm --filter @paystream/upstream-sandbox
// bench` or `make bench`. Numbers and how to read them: docs/benchmarks.md.
import type { Socket } from 'node:net';
import { minorUnits } from '@paystream/money';
import {
  createUpstreamClient,
  formatWireTimestamp,
  hmacSha256Signer,
  type UpstreamClient,
  verifyNotification,
} from '@paystream/upstream-client';
import { afterAll, bench, describe } from 'vitest';
import { type RunningSandbox, SANDBOX_DEV_CREDENTIALS, startSandbox } from '../src/index.js';

const credentials = SANDBOX_DEV_CREDENTIALS;
/** Microbenchmarks run this many operations per measured iteration, so timer overhead stays small. */
const BATCH = 100;

/** A sandbox on an ephemeral loopback port that counts the TCP connections it accepts. */
async function countingSandbox(closeEveryConnection: boolean) {
  const sandbox = await startSandbox({ port: 0 });
  const sockets = new Set<Socket>();
  sandbox.server.on('connection', (socket: Socket) => sockets.add(socket));
  if (closeEveryConnection) {
    // Runs before Express: `Connection: close` on every answer, so the client cannot reuse the
    // socket and must open a new one for the next call. Everything else is the same code.
    sandbox.server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
  }
  return { sandbox, connections: () => sockets.size };
}

/** Creates one order and checks the query answers 00, so the bench measures the success path. */
async function orderToQuery(client: UpstreamClient): Promise<string> {
  const outTradeNo = `bench-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const created = await client.createPayment({
    outTradeNo,
    amount: minorUnits(12_34),
    currency: 'HKD',
    wallet: 'WECHATHK',
    notifyUrl: 'http://127.0.0.1:9/notify',
    description: 'bench order',
  });
  if (created.outcome !== 'success') throw new Error(`bench setup: create answered ${created.outcome}`);
  const queried = await client.queryPayment({ outTradeNo });
  if (queried.outcome !== 'success') throw new Error(`bench setup: query answered ${queried.outcome}`);
  return outTradeNo;
}

const pooled = await countingSandbox(false);
const fresh = await countingSandbox(true);
// The client exactly as shipped (keep-alive pool, 16 sockets per origin) for both arms.
const pooledClient = createUpstreamClient({ baseUrl: pooled.sandbox.url, credentials });
const freshClient = createUpstreamClient({ baseUrl: fresh.sandbox.url, credentials });
const pooledOrder = await orderToQuery(pooledClient);
const freshOrder = await orderToQuery(freshClient);
const calls = { pooled: 0, fresh: 0 };

async function query(client: UpstreamClient, outTradeNo: string): Promise<void> {
  const result = await client.queryPayment({ outTradeNo });
  if (result.outcome !== 'success') throw new Error(`query answered ${result.outcome}`);
}

async function closeAll(...sandboxes: RunningSandbox[]) {
  await Promise.all([pooledClient.destroy(), freshClient.destroy()]);
  await Promise.all(sandboxes.map((s) => s.close()));
}

afterAll(async () => {
  // Evidence that the arms differ only in connection reuse (setup calls included).
  console.info(
    `[bench] connections opened: pooled ${pooled.connections()} for ${calls.pooled + 2} calls, ` +
      `baseline ${fresh.connections()} for ${calls.fresh + 2} calls`,
  );
  await closeAll(pooled.sandbox, fresh.sandbox);
});

describe('upstream queryPayment over loopback HTTP (one call in flight)', () => {
  bench(
    'keep-alive pooled client (as shipped)',
    async () => {
      calls.pooled++;
      await query(pooledClient, pooledOrder);
    },
    { time: 1500, warmupTime: 300 },
  );
  bench(
    'baseline: new TCP connection per call (Connection: close)',
    async () => {
      calls.fresh++;
      await query(freshClient, freshOrder);
    },
    { time: 1500, warmupTime: 300 },
  );
});

// What the client signs for a typical create: every field authenticate() adds, before `sign`.
const createBody: Record<string, unknown> = {
  out_trade_no: 'ORD-20250101-000123',
  paytype: 'Alipay',
  wallet: 'Alipay',
  wallet_region: 'HK',
  currency: 'HKD',
  transaction_amount: '1234.50',
  notify_url: 'https://payments.example.com/v1/notifications/upstream',
  body: 'Order 000123: 2 items',
  User_Confirm_Key: credentials.userConfirmKey,
  timestamp: formatWireTimestamp(new Date()),
  sign_type: hmacSha256Signer.name,
};
/** Every result lands here (module scope), so the engine cannot drop the work. */
let sink = 0;

describe(`signing a create body (${BATCH} per iteration)`, () => {
  bench('hmacSha256Signer.sign (canonical string + HMAC-SHA256)', () => {
    for (let i = 0; i < BATCH; i++) sink += hmacSha256Signer.sign(createBody, credentials.privateKey).length;
  });
  bench('baseline: JSON.stringify of the same body', () => {
    for (let i = 0; i < BATCH; i++) sink += JSON.stringify(createBody).length;
  });
});

// A notify callback exactly as the sandbox sends it, verified at a fixed "now" so skew never fails.
const sentAt = new Date();
const notifyParams: Record<string, unknown> = {
  notify_id: 'ntf-000123',
  notify_type: 'TRADE_SUCCESS',
  out_trade_no: 'ORD-20250101-000123',
  trade_no: 'T2025010100000123',
  status: 'PAID',
  transaction_amount: '1234.50',
  currency: 'HKD',
  paytype: 'Alipay',
  wallet: 'Alipay',
  wallet_region: 'HK',
  paid_at: sentAt.toISOString(),
  User_Confirm_Key: credentials.userConfirmKey,
  timestamp: formatWireTimestamp(sentAt),
  sign_type: hmacSha256Signer.name,
};
notifyParams.sign = hmacSha256Signer.sign(notifyParams, credentials.privateKey);
const notifyBody = JSON.stringify(notifyParams);
if (!verifyNotification(notifyBody, credentials, { now: sentAt }).ok) {
  throw new Error('bench setup: the notify body does not verify');
}

describe(`verifying a notify callback (${BATCH} per iteration)`, () => {
  bench('verifyNotification (parse, skew, HMAC, zod, amount)', () => {
    for (let i = 0; i < BATCH; i++) {
      if (verifyNotification(notifyBody, credentials, { now: sentAt }).ok) sink++;
    }
  });
  bench('baseline: JSON.parse of the same body', () => {
    for (let i = 0; i < BATCH; i++) sink += Object.keys(JSON.parse(notifyBody) as object).length;
  });
});

afterAll(() => {
  // Reading the sink keeps every result observable; zero would mean the benches did no work.
  if (sink === 0) throw new Error('the benches produced no results');
});
