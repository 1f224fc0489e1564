// A fleet as production runs it: N gateway processes (dist/main.js) on ONE database and ONE bus,
// behind one public address (a round-robin proxy) that callers and the aggregator's notify
// callbacks reach them through; plugin hosts on a database of their own, one consumer group per
// plugin spread over them; one sandbox process as the aggregator. Each gateway only serialises work
// on an order inside its own process, so this is where races between instances show.
//
// Each gateway and host keeps its port across restarts, and connects to PostgreSQL with an
// application_name of its own (`paystream-gateway-0`…), so its backends can be found and
// terminated from outside.
//
// With `images`, the sandbox, gateways and hosts are containers of the OCI images `make images`
// builds (podman, host networking, read-only root, non-root user) instead of this checkout's
// builds; everything else (databases, brokers, proxy, records) is the same.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { gatewayMain, pluginEntry, pluginHostMain, requireBuilds } from './builds.js';
import { terminateBackends, withApplicationName } from './databases.js';
import { freePort } from './ports.js';
import {
  type ContainerRun,
  type RunningProcess,
  startGatewayProcess,
  startPluginHostProcess,
  startSandboxProcess,
} from './processes.js';
import { type FleetProxy, startFleetProxy } from './proxy.js';
import { type FleetRecords, openFleetRecords } from './records.js';

export const FLEET_API_KEY = 'psk_fleet_suite_key';

/** The plugins a fleet's hosts run unless told otherwise (plugins/<name>). */
export const SHIPPED_PLUGINS = ['accounting', 'alerting', 'erp-csv'] as const;

/** The images a fleet runs in container mode (references podman has locally; never pulled). */
export interface FleetImages {
  gateway: string;
  pluginHost: string;
  sandbox: string;
}

/** The images of `make images` under one tag (`latest`: the last build). */
export function fleetImages(tag = 'latest'): FleetImages {
  return {
    gateway: `localhost/paystream/gateway:${tag}`,
    pluginHost: `localhost/paystream/plugin-host:${tag}`,
    sandbox: `localhost/paystream/sandbox:${tag}`,
  };
}

/**
 * A shipped plugin's entry inside the plugin host image: a dependency of its bundle. A host's
 * config is outside the image, so the entry is a path rather than a package name.
 */
export function imagePluginEntry(name: string): string {
  return `/app/node_modules/@paystream/${name}/dist/index.js`;
}

/** The folder a service's image keeps its files in, under its working directory /app. */
export const IMAGE_DATA_DIR = '/app/.data';

/** How long a stopping gateway may drain before it is killed (it exits by itself after half). */
const KILL_AFTER_MS = 10_000;
/**
 * A plugin host's drain: its consumers leave their groups, which waits for a coordinator that may
 * be moving after a broker restart; cut short, the host is only as safe as after a crash.
 */
const HOST_KILL_AFTER_MS = 20_000;
const killAfter = (m: { kind: string }) => (m.kind === 'gateway' ? KILL_AFTER_MS : HOST_KILL_AFTER_MS);

export interface FleetOptions {
  database: 'postgres' | 'sqlite';
  /** Gateway processes. Default 2. */
  gateways?: number;
  /** Plugin host processes (PostgreSQL only). Default 0. */
  pluginHosts?: number;
  /**
   * Plugin hosts made ready but not started (after the others in `hosts`): `start` one to have it
   * join the plugins' consumer groups, `stop` it to have it leave (a rebalance each time).
   */
  standbyHosts?: number;
  /** The plugins every host runs, by folder under plugins/. Default {@link SHIPPED_PLUGINS}. */
  plugins?: readonly string[];
  /** Kafka brokers; unset: KAFKA_BROKERS; empty: the embedded bus file every process shares. */
  kafkaBrokers?: readonly string[];
  /** How the processes create missing topics (KAFKA_TOPIC_*). Default: their defaults. */
  kafkaTopic?: { partitions?: number; replicationFactor?: number; minInsyncReplicas?: number };
  /** Every gateway's UPSTREAM_TIMEOUT_MS. Default 1000. */
  upstreamTimeoutMs?: number;
  /** Every gateway's SWEEP_INTERVAL_MS. Default 100. */
  sweepIntervalMs?: number;
  /** The sandbox's steady answer latency (SANDBOX_LATENCY_MS). Default 0. */
  sandboxLatencyMs?: number;
  /** The proxy's port. Default 0: any free one. */
  proxyPort?: number;
  /** Every process's LOG_LEVEL. Default info. */
  logLevel?: string;
  /** More environment for every gateway (it wins over the fleet's). */
  env?: Record<string, string>;
  /** More environment for every plugin host (it wins over the fleet's). */
  hostEnv?: Record<string, string>;
  /** Where logs, host configs and files go. Default: a temporary folder, removed by close(). */
  runDir?: string;
  /** Prefix of the PostgreSQL database names. Default paystream_fleet. */
  databasePrefix?: string;
  /**
   * How often `start` tries a member whose process dies before it is ready, a few seconds apart,
   * as an orchestrator restarts a crashing pod. Default 1 (a failed start throws at once).
   */
  startAttempts?: number;
  /**
   * Run the sandbox, gateways and hosts as containers of these images (podman) instead of this
   * checkout's builds. PostgreSQL only; the run folder is mounted into every container.
   */
  images?: FleetImages;
}

/** A gateway or plugin host of the fleet: where it listens, and its current process. */
export interface FleetMember {
  readonly kind: 'gateway' | 'plugin-host';
  readonly index: number;
  /** gateway-0, plugin-host-1… */
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The application_name of its PostgreSQL connections. */
  readonly applicationName: string;
  /** The process running now (or the last one, when stopped; none yet for a standby host). */
  readonly process: RunningProcess;
  /** How many times it was started. */
  readonly starts: number;
  running(): boolean;
}

/** A member's process that ended. */
export interface MemberExit {
  member: string;
  pid: number | undefined;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether the fleet ended it (kill, stop, close); false: it died on its own. */
  intended: boolean;
  /** `start`: it died before it was ready (a failed start); `run`: after. */
  phase: 'start' | 'run';
  /** The end of what it wrote on stderr (why it died). */
  stderr: string;
}

/** The sandbox process and where it listens. */
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
  /** Kafka when brokers are given, else the embedded bus file every process shares. */
  readonly transport: 'kafka' | 'embedded';
  readonly kafkaBrokers: readonly string[];
  readonly upstreamTimeoutMs: number;
  readonly sandbox: FleetProcess;
  readonly controls: SandboxControls;
  readonly gateways: readonly FleetMember[];
  /** The plugin hosts: the running ones, then the standby ones (not started until `start`). */
  readonly hosts: readonly FleetMember[];
  /** The public address: API calls and notify callbacks, round robin (notifies may be pinned). */
  readonly proxy: FleetProxy;
  /** The gateways' database (and the plugin hosts', which have their own). */
  readonly databaseUrl: string;
  readonly pluginDatabaseUrl: string | undefined;
  readonly apiKey: string;
  readonly runDir: string;
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
  /** SIGKILL: no warning, no drain; the proxy finds out when the gateway refuses connections. */
  kill(member: FleetMember): Promise<void>;
  /** A deployment's stop: out of the proxy's rotation first, then SIGTERM and the drain. */
  stop(member: FleetMember): Promise<void>;
  /** Starts a stopped or killed member on its port; back in rotation once it listens. */
  start(member: FleetMember): Promise<void>;
  /** Every member process that ended so far, the ones the fleet ended and the ones that died. */
  exits(): readonly MemberExit[];
  /** pg_terminate_backend of every connection the member has open; resolves with how many. */
  terminateBackends(member: FleetMember): Promise<number>;
  /** Stops every process (SIGTERM, then SIGKILL) and drops the databases. */
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

/** The PLUGIN_HOST_CONFIG file of one host: the shipped plugins, each writing under `dir`. */
function writeHostConfig(
  file: string,
  dir: string,
  plugins: readonly string[],
  entry: (name: string) => string,
): void {
  const options: Record<string, unknown> = {
    // No scheduled reconciliation: it queries the aggregator for every recent order, load the
    // fleet's runs do not need (a reconciliation can still be started through the route).
    accounting: { reconcileIntervalMs: 0, dailyReconciliation: false, reconciliationDir: join(dir, 'erp') },
    // One writer per folder: each host has its own.
    'erp-csv': { dir: join(dir, 'erp') },
  };
  writeFileSync(
    file,
    JSON.stringify(
      { plugins: plugins.map((name) => ({ package: entry(name), options: options[name] ?? {} })) },
      null,
      2,
    ),
  );
}

/** Starts the sandbox, the proxy, the gateways and the hosts; each listens when this resolves. */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const gatewayCount = opts.gateways ?? 2;
  const hostCount = opts.pluginHosts ?? 0;
  const standbyCount = opts.standbyHosts ?? 0;
  const plugins = opts.plugins ?? SHIPPED_PLUGINS;
  if (hostCount + standbyCount > 0 && opts.database !== 'postgres') {
    throw new Error('plugin hosts share one database only on PostgreSQL: use database "postgres"');
  }
  const images = opts.images;
  if (images && opts.database !== 'postgres') {
    throw new Error('a fleet of images runs on PostgreSQL only: use database "postgres"');
  }
  if (!images) {
    requireBuilds([gatewayMain(), ...(hostCount > 0 ? [pluginHostMain(), ...plugins.map(pluginEntry)] : [])]);
  }
  const upstreamTimeoutMs = opts.upstreamTimeoutMs ?? 1_000;
  const run = `${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
  const ownRunDir = opts.runDir === undefined;
  const runDir = opts.runDir ?? mkdtempSync(join(tmpdir(), 'paystream-fleet-'));
  mkdirSync(runDir, { recursive: true });
  // A container's user is not this process's: what it writes under the run folder (plugin files,
  // the embedded bus) must be open to it.
  const openDir = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    if (images) chmodSync(dir, 0o777);
  };
  openDir(runDir);
  const containerOf = (name: string, image: string, mounts: string[] = []): ContainerRun | undefined =>
    images
      ? { image, name: `paystream-fleet-${run}-${name}`, mounts: [`${runDir}:${runDir}`, ...mounts] }
      : undefined;
  const brokers = opts.kafkaBrokers ? [...opts.kafkaBrokers] : parseBrokers(process.env.KAFKA_BROKERS);
  const prefix = opts.databasePrefix ?? 'paystream_fleet';
  const logLevel = opts.logLevel ?? 'info';
  const sandboxes: RunningProcess[] = [];
  const members: (FleetMember & { process: RunningProcess; starts: number })[] = [];
  const databases: TestDatabase[] = [];
  let proxy: FleetProxy | undefined;
  let records: FleetRecords | undefined;
  let sandboxStarting: ReturnType<typeof startSandboxProcess> | undefined;
  let closing: Promise<void> | undefined;
  const exits: MemberExit[] = [];
  // Processes the fleet itself is ending: their exit is intended.
  const ending = new Set<RunningProcess>();

  const close = () => {
    closing ??= (async () => {
      // A failed start may leave the sandbox still starting: it is stopped too, once it runs.
      await sandboxStarting?.catch(() => undefined);
      // Gateways and hosts first (their last outbox flush needs the bus), then the aggregator.
      for (const m of members) if (m.process) ending.add(m.process);
      await Promise.all(members.map((m) => m.process?.stop(killAfter(m))));
      await Promise.all(sandboxes.map((p) => p.stop(KILL_AFTER_MS)));
      await proxy?.close();
      await records?.close();
      for (const d of databases) await d.drop();
      if (ownRunDir) rmSync(runDir, { recursive: true, force: true });
    })();
    return closing;
  };

  try {
    sandboxStarting = startSandboxProcess(
      {
        SANDBOX_LATENCY_MS: String(opts.sandboxLatencyMs ?? 0),
        LOG_LEVEL: logLevel,
        // The image listens on every interface; on the host's network, loopback is enough.
        ...(images ? { SANDBOX_HOST: '127.0.0.1' } : {}),
      },
      {
        logFile: join(runDir, 'sandbox.log'),
        ...(images ? { container: containerOf('sandbox', images.sandbox) } : {}),
      },
    );
    void sandboxStarting.then((s) => sandboxes.push(s.process)).catch(() => undefined);
    const gatewayDb =
      opts.database === 'postgres'
        ? await createPostgresTestDatabase(`${prefix}_gw`)
        : createSqliteTestDatabase();
    databases.push(gatewayDb);
    const pluginDb =
      hostCount + standbyCount > 0 ? await createPostgresTestDatabase(`${prefix}_plugins`) : undefined;
    if (pluginDb) databases.push(pluginDb);
    // An image's gateways migrate themselves, one at a time under PostgreSQL's advisory lock: the
    // checkout's migrations need not be the image's.
    if (!images) await migrate(gatewayDb.url);
    const sandbox = await sandboxStarting;
    proxy = await startFleetProxy(opts.proxyPort ?? 0);
    const apiKeys = JSON.stringify([
      { caller: 'checkout', sha256: hashApiKey(FLEET_API_KEY), scopes: [...SCOPES] },
    ]);
    const upstream = {
      UPSTREAM_BASE_URL: sandbox.url,
      UPSTREAM_USER_CONFIRM_KEY: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
      UPSTREAM_PRIVATE_KEY: SANDBOX_DEV_CREDENTIALS.privateKey,
      UPSTREAM_TIMEOUT_MS: String(upstreamTimeoutMs),
    };
    const bus: Record<string, string> =
      brokers.length > 0
        ? {
            KAFKA_BROKERS: brokers.join(','),
            ...(opts.kafkaTopic?.partitions
              ? { KAFKA_TOPIC_PARTITIONS: String(opts.kafkaTopic.partitions) }
              : {}),
            ...(opts.kafkaTopic?.replicationFactor
              ? { KAFKA_TOPIC_REPLICATION_FACTOR: String(opts.kafkaTopic.replicationFactor) }
              : {}),
            ...(opts.kafkaTopic?.minInsyncReplicas
              ? { KAFKA_TOPIC_MIN_INSYNC_REPLICAS: String(opts.kafkaTopic.minInsyncReplicas) }
              : {}),
          }
        : { EMBEDDED_BUS_FILE: join(runDir, 'bus.sqlite') };

    const envOf = (kind: FleetMember['kind'], index: number, port: number): Record<string, string> => {
      const applicationName = `paystream-${kind}-${index}`;
      const common = {
        HOST: '127.0.0.1',
        PAYSTREAM_API_KEYS: apiKeys,
        OUTBOX_POLL_INTERVAL_MS: '50',
        // The process's own forced exit comes before the fleet's SIGKILL.
        SHUTDOWN_TIMEOUT_MS: String(kind === 'gateway' ? KILL_AFTER_MS / 2 : (HOST_KILL_AFTER_MS * 3) / 4),
        LOG_LEVEL: logLevel,
        MALLOC_ARENA_MAX: '2',
        ...upstream,
        ...bus,
      };
      if (kind === 'gateway') {
        return {
          ...common,
          PORT: String(port),
          DATABASE_URL: withApplicationName(gatewayDb.url, applicationName),
          PUBLIC_BASE_URL: proxy!.url,
          SWEEP_INTERVAL_MS: String(opts.sweepIntervalMs ?? 100),
          ...opts.env,
        };
      }
      const dir = join(runDir, `plugin-host-${index}`);
      openDir(dir);
      openDir(join(dir, 'erp'));
      const config = join(dir, 'plugin-host.json');
      writeHostConfig(config, dir, plugins, images ? imagePluginEntry : pluginEntry);
      return {
        ...common,
        PLUGIN_HOST_PORT: String(port),
        PLUGIN_HOST_CONFIG: config,
        DATABASE_URL: withApplicationName(pluginDb!.url, applicationName),
        ...opts.hostEnv,
      };
    };

    const launchOnce = async (member: (typeof members)[number]) => {
      const env = envOf(member.kind, member.index, member.port);
      const logFile = join(runDir, `${member.name}.log`);
      const cwd = join(runDir, member.name);
      openDir(cwd);
      // The container's data folder is the process's (cwd/.data): kept across restarts alike.
      const data = join(cwd, '.data');
      if (images) openDir(data);
      const container = images
        ? containerOf(member.name, member.kind === 'gateway' ? images.gateway : images.pluginHost, [
            `${data}:${IMAGE_DATA_DIR}`,
          ])
        : undefined;
      const run = { process: undefined as RunningProcess | undefined, ready: false };
      const onStart = (p: RunningProcess) => {
        run.process = p;
        void p.exited.then(({ code, signal }) => {
          exits.push({
            member: member.name,
            pid: p.child.pid,
            at: Date.now(),
            code,
            signal,
            intended: ending.has(p),
            phase: run.ready ? 'run' : 'start',
            stderr: p.stderrTail(),
          });
        });
      };
      const started =
        member.kind === 'gateway'
          ? await startGatewayProcess(env, { logFile, cwd, onStart, ...(container ? { container } : {}) })
          : await startPluginHostProcess(env, { logFile, cwd, onStart, ...(container ? { container } : {}) });
      run.ready = true;
      member.process = started.process;
      member.starts += 1;
    };
    const attempts = Math.max(1, opts.startAttempts ?? 1);
    const launch = async (member: (typeof members)[number]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await launchOnce(member);
        } catch (err) {
          if (attempt >= attempts || closing) throw err;
          await new Promise((r) => setTimeout(r, 2_000 * attempt));
        }
      }
    };

    const newMember = async (kind: FleetMember['kind'], index: number) => {
      const port = await freePort();
      const name = `${kind}-${index}`;
      const member = {
        kind,
        index,
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        applicationName: `paystream-${kind}-${index}`,
        process: undefined as unknown as RunningProcess,
        starts: 0,
        running: (): boolean => member.process?.running() ?? false,
      };
      members.push(member);
      return member;
    };

    const gateways = await Promise.all(
      Array.from({ length: gatewayCount }, (_, i) => newMember('gateway', i)),
    );
    const hosts = await Promise.all(
      Array.from({ length: hostCount + standbyCount }, (_, i) => newMember('plugin-host', i)),
    );
    // All settle before a failure is thrown, so that close() stops every one that did start.
    const fail = (results: PromiseSettledResult<void>[]) => {
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    };
    // All at once: the gateways' tables are migrated already, and the hosts' migrations take a
    // lock, so the first host migrates and the others find the tables in place.
    fail(await Promise.allSettled([...gateways, ...hosts.slice(0, hostCount)].map(launch)));
    proxy.setTargets(gateways.map((g) => g.url));
    records = openFleetRecords(gatewayDb.url);
    const controls = sandboxControls(sandbox.url);
    const front = proxy;

    return {
      database: opts.database,
      transport: brokers.length > 0 ? 'kafka' : 'embedded',
      kafkaBrokers: brokers,
      upstreamTimeoutMs,
      sandbox,
      controls,
      gateways,
      hosts,
      proxy: front,
      databaseUrl: gatewayDb.url,
      pluginDatabaseUrl: pluginDb?.url,
      apiKey: FLEET_API_KEY,
      runDir,
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
      async kill(member) {
        if (member.process) ending.add(member.process);
        await member.process?.kill();
      },
      async stop(member) {
        if (member.kind === 'gateway') front.setTarget(member.index, undefined);
        if (member.process) ending.add(member.process);
        await member.process?.stop(killAfter(member));
      },
      exits: () => exits,
      async start(member) {
        const m = members.find((x) => x === member);
        if (!m) throw new Error(`${member.name} is not of this fleet`);
        if (m.running()) return;
        await launch(m);
        if (m.kind === 'gateway') front.setTarget(m.index, m.url);
      },
      terminateBackends: (member) =>
        terminateBackends(member.kind === 'gateway' ? gatewayDb.url : pluginDb!.url, member.applicationName),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
