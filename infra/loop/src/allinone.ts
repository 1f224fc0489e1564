// The all-in-one as `make start` runs it, as a process of its own on chosen ports, and one payment
// made through it: what the PLUGIN_HOST_CONFIG suites (the all-in-one's and the guide's) share.
import { spawn } from 'node:child_process';

export interface AllInOneProcess {
  gatewayUrl: string;
  sandboxUrl: string;
  /** Everything the process printed so far (the banner, log lines, the error it died of). */
  output(): string;
  /** Resolves with the exit code once the process (and its group) ended. */
  exited: Promise<number | null>;
  /** SIGTERM to its process group (make and the node it runs), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** The run-time settings a developer's shell may carry, which would point the process elsewhere. */
const INHERITED_AWAY = ['DATABASE_URL', 'KAFKA_BROKERS', 'PAYSTREAM_API_KEYS', 'UPSTREAM_BASE_URL'];

/**
 * Starts `command args` (e.g. `node dist/main.js`, `make start`) with PORT and SANDBOX_PORT and
 * resolves once the banner is printed; rejects with its output if it exits first.
 */
export async function startAllInOneProcess(o: {
  command: string;
  args: readonly string[];
  cwd: string;
  port: number;
  sandboxPort: number;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<AllInOneProcess> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of INHERITED_AWAY) delete env[k];
  Object.assign(env, { HOST: '127.0.0.1', PORT: String(o.port), SANDBOX_PORT: String(o.sandboxPort) }, o.env);
  const child = spawn(o.command, [...o.args], {
    cwd: o.cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: `make start` execs node under make, and both must go.
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // Gone already.
    }
  };
  const timeoutMs = o.timeoutMs ?? 5 * 60_000;
  const started = await new Promise<boolean>((res) => {
    const timer = setTimeout(() => res(false), timeoutMs);
    const check = () => {
      if (out.includes('Paystream all-in-one is running')) {
        clearTimeout(timer);
        res(true);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      res(out.includes('Paystream all-in-one is running'));
    });
  });
  if (!started) {
    signal('SIGKILL');
    throw new Error(`the all-in-one did not start (${o.command} ${o.args.join(' ')}):\n${out.slice(-6000)}`);
  }
  return {
    gatewayUrl: `http://127.0.0.1:${o.port}`,
    sandboxUrl: `http://127.0.0.1:${o.sandboxPort}`,
    output: () => out,
    exited,
    async stop(graceMs = 10_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      signal('SIGKILL');
      return code;
    },
  };
}

/**
 * Creates a payment through the gateway, pays it in the sandbox and waits until the gateway says
 * "paid": the order then has its payment.succeeded event and, once the ledger booked it, its entry.
 */
export async function payOrder(
  p: { gatewayUrl: string; sandboxUrl: string },
  apiKey: string,
  outTradeNo: string,
  amount = '12.34',
): Promise<void> {
  const auth = { authorization: `Bearer ${apiKey}` };
  const created = await fetch(`${p.gatewayUrl}/v1/payments`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': outTradeNo },
    body: JSON.stringify({ outTradeNo, amount, currency: 'HKD', wallet: 'WECHATHK' }),
  });
  if (created.status !== 201) throw new Error(`create answered ${created.status}: ${await created.text()}`);
  const paid = await fetch(`${p.sandboxUrl}/__sandbox/orders/${outTradeNo}/pay`, { method: 'POST' });
  if (paid.status !== 200) throw new Error(`the sandbox's pay answered ${paid.status}: ${await paid.text()}`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await fetch(`${p.gatewayUrl}/v1/payments/${outTradeNo}`, { headers: auth });
    if (r.status === 200 && ((await r.json()) as { status: string }).status === 'paid') return;
    if (Date.now() > deadline) throw new Error(`${outTradeNo} is not paid after 30 s`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
