import type { Server } from 'node:http';
import {
  type CallOperation,
  hmacSha256Signer,
  type Signer,
  type UpstreamCredentials,
} from '@paystream/upstream-client';
import express, { type Express } from 'express';
import { handleApiCall } from './api.js';
import { sandboxControls } from './controls.js';
import { FaultQueue } from './faults.js';
import type { SandboxLogger } from './logger.js';
import { Notifier } from './notify.js';
import { type SandboxMerchant, SandboxState } from './state.js';

/** Development credentials: the sandbox's default merchant, never valid anywhere real. */
export const SANDBOX_DEV_CREDENTIALS: Readonly<UpstreamCredentials> = Object.freeze({
  userConfirmKey: 'sandbox-dev-confirm-key',
  privateKey: 'sandbox-dev-private-key',
});

export interface SandboxOptions {
  /** The default merchant's credentials. Default SANDBOX_DEV_CREDENTIALS. */
  credentials?: UpstreamCredentials;
  /** More merchants, e.g. a disabled one (22/23) or one without a wallet configured (30). */
  merchants?: readonly SandboxMerchant[];
  now?: () => Date;
  logger?: SandboxLogger;
  signer?: Signer;
  /** Allowed client clock skew before code 12. Default 300. */
  clockToleranceSeconds?: number;
  /** Waits before each notify retry. Default [500, 2000, 8000]. */
  notifyRetryDelaysMs?: readonly number[];
  /** Per-attempt notify timeout. Default 5000. */
  notifyTimeoutMs?: number;
  /**
   * How long every API call takes to answer, as a network and an aggregator under load would
   * (load tests and benchmarks). A `delayMs` fault replaces it for the call it hits. Default 0.
   */
  latencyMs?: number;
}

export interface Sandbox {
  app: Express;
  state: SandboxState;
  faults: FaultQueue;
  notifier: Notifier;
}

const OPERATION_PATHS: Readonly<Record<string, CallOperation>> = {
  create: 'create',
  query: 'query',
  refund: 'refund',
  cancel: 'cancel',
  close: 'close',
};

/** Builds the sandbox (app plus its state) without listening. */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const now = opts.now ?? (() => new Date());
  const signer = opts.signer ?? hmacSha256Signer;
  const state = new SandboxState([opts.credentials ?? SANDBOX_DEV_CREDENTIALS, ...(opts.merchants ?? [])]);
  const faults = new FaultQueue();
  const notifier = new Notifier({
    signer,
    now,
    faults,
    retryDelaysMs: opts.notifyRetryDelaysMs ?? [500, 2000, 8000],
    timeoutMs: opts.notifyTimeoutMs ?? 5000,
    logger: opts.logger,
  });
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/__sandbox', sandboxControls({ state, faults, notifier, now }));
  // Raw text, whatever the content type: a body that is not JSON must reach the rules as -13.
  app.post('/v1/trade/:operation', express.text({ type: () => true, limit: '64kb' }), async (req, res) => {
    const op = OPERATION_PATHS[String(req.params.operation)];
    if (!op) {
      res.status(404).json({ code: '06', msg: 'Parameter abnormal: unknown operation' });
      return;
    }
    await handleApiCall(op, req, res, {
      state,
      faults,
      signer,
      now,
      toleranceMs: (opts.clockToleranceSeconds ?? 300) * 1000,
      logger: opts.logger,
      latencyMs: opts.latencyMs ?? 0,
    });
  });
  return { app, state, faults, notifier };
}

/** The sandbox as an Express app (for supertest). */
export function createSandboxApp(opts: SandboxOptions = {}): Express {
  return createSandbox(opts).app;
}

export interface StartSandboxOptions extends SandboxOptions {
  /** 0 = ephemeral. Default 8081. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface RunningSandbox extends Omit<Sandbox, 'app'> {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Starts the sandbox on a port; `close()` drops held (timeout-fault) connections too. */
export async function startSandbox(opts: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox(opts);
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = sandbox.app.listen(opts.port ?? 8081, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 8081);
  return {
    state: sandbox.state,
    faults: sandbox.faults,
    notifier: sandbox.notifier,
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        sandbox.notifier.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
