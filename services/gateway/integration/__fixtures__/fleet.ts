// A gateway fleet as production runs it: N gateway processes (dist/main.js) on ONE database and
// ONE bus, behind one public URL the aggregator sends its notify callbacks to, and one sandbox
// process as the aggregator. Each gateway only serialises work on an order inside its own process,
// so this is where races between instances show.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashApiKey, parseBrokers, SCOPES } from '@paystream/config';
import { type Kysely, openDatabase } from '@paystream/db';
import {
  createPostgresTestDatabase,
  createSqliteTestDatabase,
  type TestDatabase,
} from '@paystream/db/testing';
import {
  type Fault,
  SANDBOX_DEV_CREDENTIALS,
  type SandboxControls,
  sandboxControls,
} from '@paystream/upstream-sandbox';
import { type FleetRecords, openFleetRecords } from './fleet-records.js';
import { type NotifyProxy, startNotifyProxy } from './notify-proxy.js';
import { gatewayMain, type RunningProcess, startGatewayProcess, startSandboxProcess } from './processes.js';

export const FLEET_API_KEY = 'psk_fleet_suite_key';

/** How long a stopping process may drain before it is killed. */
const KILL_AFTER_MS = 10_000;

export interface FleetOptions {
  database: 'postgres' | 'sqlite';
  /** Gateway processes. Default 2. */
  gateways?: number;
  /** Every gateway's UPSTREAM_TIMEOUT_MS. Default 1000. */
  upstreamTimeoutMs?: number;
  /** Every gateway's SWEEP_INTERVAL_MS. Default 100. */
  sweepIntervalMs?: number;
  /** The sandbox's steady answer latency (SANDBOX_LATENCY_MS). Default 0. */
  sandboxLatencyMs?: number;
  /** More environment for every gateway (it wins over the fleet's). */
  env?: Record<string, string>;
}

/** A process of the fleet and where it listens. */
export interface FleetProcess {
  url: string;
  process: RunningProcess;
}

/** A gateway's answer; the body parsed when it is JSON. */
export interface FleetAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the tests.
  body: any;
  headers: Headers;
}

export interface Fleet {
  readonly database: 'postgres' | 'sqlite';
  /** Kafka when KAFKA_BROKERS is set, else the embedded bus file every process shares. */
  readonly transport: 'kafka' | 'embedded';
  readonly upstreamTimeoutMs: number;
  readonly sandbox: FleetProcess;
  readonly controls: SandboxControls;
  readonly gateways: readonly FleetProcess[];
  /** The public URL: notify callbacks, round robin or pinned. */
  readonly notifies: NotifyProxy;
  /** What the fleet recorded in its database: events (outbox), order rows. */
  readonly records: FleetRecords;
  /** A new order number, unique to this run (the topic of a broker outlives runs). */
  orderNo(label: string): string;
  /** One API call to gateway `index`, with the Idempotency-Key when given. */
  call(
    index: number,
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<FleetAnswer>;
  /** Faults the sandbox holds and has not used up yet. */
  faults(): Promise<Fault[]>;
  /** Stops every process (SIGTERM, then SIGKILL) and drops the database. */
  close(): Promise<void>;
}

/**
 * Migrates the database with the migrations of the gateway build under test, so that every gateway
 * can then start at once (each one's own migration finds nothing left to do).
 */
async function migrate(url: string): Promise<void> {
  const { prepareDatabase } = (await import(
    pathToFileURL(join(dirname(gatewayMain()), 'database.js')).href
  )) as {
    prepareDatabase(db: Kysely<unknown>): Promise<void>;
  };
  const database = openDatabase({ url });
  try {
    await prepareDatabase(database.db);
  } finally {
    await database.destroy();
  }
}

/** Starts the sandbox, the notify proxy and the gateways; each gateway listens when this resolves. */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const count = opts.gateways ?? 2;
  const upstreamTimeoutMs = opts.upstreamTimeoutMs ?? 1_000;
  const run = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'paystream-fleet-'));
  const brokers = parseBrokers(process.env.KAFKA_BROKERS);
  const started: RunningProcess[] = [];
  let database: TestDatabase | undefined;
  let notifies: NotifyProxy | undefined;
  let records: FleetRecords | undefined;
  let sandboxStarting: ReturnType<typeof startSandboxProcess> | undefined;

  const close = async () => {
    // A failed start may leave the sandbox still starting: it is stopped too, once it runs.
    await sandboxStarting?.catch(() => undefined);
    await Promise.all(started.map((p) => p.stop(KILL_AFTER_MS)));
    await notifies?.close();
    await records?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    sandboxStarting = startSandboxProcess({ SANDBOX_LATENCY_MS: String(opts.sandboxLatencyMs ?? 0) });
    void sandboxStarting.then((s) => started.push(s.process)).catch(() => undefined);
    database =
      opts.database === 'postgres'
        ? await createPostgresTestDatabase('paystream_fleet')
        : createSqliteTestDatabase();
    await migrate(database.url);
    const sandbox = await sandboxStarting;
    notifies = await startNotifyProxy();
    const env: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      UPSTREAM_BASE_URL: sandbox.url,
      UPSTREAM_USER_CONFIRM_KEY: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
      UPSTREAM_PRIVATE_KEY: SANDBOX_DEV_CREDENTIALS.privateKey,
      UPSTREAM_TIMEOUT_MS: String(upstreamTimeoutMs),
      DATABASE_URL: database.url,
      PUBLIC_BASE_URL: notifies.url,
      PAYSTREAM_API_KEYS: JSON.stringify([
        { caller: 'checkout', sha256: hashApiKey(FLEET_API_KEY), scopes: [...SCOPES] },
      ]),
      OUTBOX_POLL_INTERVAL_MS: '50',
      SWEEP_INTERVAL_MS: String(opts.sweepIntervalMs ?? 100),
      SHUTDOWN_TIMEOUT_MS: String(KILL_AFTER_MS / 2),
      LOG_LEVEL: 'info',
      ...(brokers.length > 0
        ? { KAFKA_BROKERS: brokers.join(',') }
        : { EMBEDDED_BUS_FILE: join(dir, 'bus.sqlite') }),
      ...opts.env,
    };
    // All settle before a failure is thrown, so that close() stops every one that did start.
    const starts = await Promise.allSettled(
      Array.from({ length: count }, async () => {
        const g = await startGatewayProcess(env);
        started.push(g.process);
        return g;
      }),
    );
    const gateways = starts.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    });
    notifies.setTargets(gateways.map((g) => g.url));
    records = openFleetRecords(database.url);

    return {
      database: opts.database,
      transport: brokers.length > 0 ? 'kafka' : 'embedded',
      upstreamTimeoutMs,
      sandbox,
      controls: sandboxControls(sandbox.url),
      gateways,
      notifies,
      records,
      orderNo: (label) => `${run}-${label}`,
      async call(index, method, path, body, idempotencyKey) {
        const gateway = gateways[index];
        if (!gateway) throw new RangeError(`the fleet has no gateway ${index}`);
        const res = await fetch(`${gateway.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${FLEET_API_KEY}`,
            'content-type': 'application/json',
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // Not JSON: the text itself tells what went wrong.
        }
        return { status: res.status, body: parsed, headers: res.headers };
      },
      async faults() {
        const res = await fetch(`${sandbox.url}/__sandbox/faults`);
        return ((await res.json()) as { faults: Fault[] }).faults;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
