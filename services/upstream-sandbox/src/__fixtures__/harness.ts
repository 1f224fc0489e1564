// Test harness shared by this package's suites: a sandbox on an ephemeral loopback port, clients
// with good and deliberately broken credentials, and helpers that drive the controls over HTTP.
import { type Currency, type MinorUnits, minorUnits } from '@paystream/money';
import {
  createUpstreamClient,
  type UpstreamClient,
  type UpstreamClientOptions,
  type UpstreamCredentials,
  type Wallet,
} from '@paystream/upstream-client';
import {
  type RunningSandbox,
  SANDBOX_DEV_CREDENTIALS,
  type StartSandboxOptions,
  startSandbox,
} from '../app.js';
import { type PayAnswer, sandboxControls } from '../control-client.js';
import type { FaultInput } from '../faults.js';

export const cents = (n: number): MinorUnits => minorUnits(n);

export interface Harness {
  sandbox: RunningSandbox;
  client: UpstreamClient;
  /** Adds milliseconds to the clock the sandbox and `client` share. */
  advanceClock(ms: number): void;
  clientWith(credentials: UpstreamCredentials, extra?: Partial<UpstreamClientOptions>): UpstreamClient;
  nextNo(prefix?: string): string;
  createOrder(o?: { wallet?: Wallet; amount?: number; currency?: Currency }): Promise<string>;
  /** Pays an order; without a body the sandbox sends no notify (most suites have no receiver). */
  pay(outTradeNo: string, body?: { notify?: boolean }): Promise<PayAnswer>;
  fault(input: FaultInput): Promise<void>;
  close(): Promise<void>;
}

/** Starts a sandbox and a client against it. */
export async function startHarness(
  opts: StartSandboxOptions = {},
  clientOpts: Partial<UpstreamClientOptions> = {},
): Promise<Harness> {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const sandbox = await startSandbox({ port: 0, now, notifyRetryDelaysMs: [20, 40], ...opts });
  const controls = sandboxControls(sandbox.url);
  const clients: UpstreamClient[] = [];
  let counter = 0;
  const clientWith = (credentials: UpstreamCredentials, extra: Partial<UpstreamClientOptions> = {}) => {
    const c = createUpstreamClient({ baseUrl: sandbox.url, credentials, timeoutMs: 2000, now, ...extra });
    clients.push(c);
    return c;
  };
  const client = clientWith(opts.credentials ?? SANDBOX_DEV_CREDENTIALS, clientOpts);
  const harness: Harness = {
    sandbox,
    client,
    clientWith,
    advanceClock: (ms) => {
      offsetMs += ms;
    },
    nextNo: (prefix = 'ord') => `${prefix}-${process.pid}-${++counter}`,
    async createOrder(o = {}) {
      const outTradeNo = harness.nextNo();
      const result = await client.createPayment({
        outTradeNo,
        amount: cents(o.amount ?? 1000),
        currency: o.currency ?? 'HKD',
        wallet: o.wallet ?? 'WECHATHK',
        notifyUrl: 'http://127.0.0.1:9/notify',
      });
      if (result.outcome !== 'success') throw new Error(`create failed: ${JSON.stringify(result)}`);
      return outTradeNo;
    },
    pay: (outTradeNo, body = { notify: false }) => controls.pay(outTradeNo, body),
    fault: (input) => controls.fault(input),
    async close() {
      await Promise.all(clients.map((c) => c.destroy()));
      await sandbox.close();
    },
  };
  return harness;
}
