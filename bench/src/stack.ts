// The processes of a deployment, each started from its package's dist the way its README starts
// it: the sandbox standing in for the aggregator, gateways, plugin hosts.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@paystream/bus/testing';
import { hashApiKey, readStartScript, SCOPES } from '@paystream/config';
import { SANDBOX_DEV_CREDENTIALS } from '@paystream/upstream-sandbox';
import type { BenchContext } from './context.js';
import { type Service, startService } from './processes.js';

/** The API key the bench's callers present (hashed in the gateways' PAYSTREAM_API_KEYS). */
export const BENCH_API_KEY = `psk_bench_${randomBytes(12).toString('hex')}`;

/** How a service's `start` script runs it: `[NAME=value ...] node [flags ...] dist/main.js`. */
export interface StartCommand {
  /** Environment the script sets for the process (MALLOC_ARENA_MAX). */
  env: Record<string, string>;
  /** Node.js flags before the entry file, `--import <module>` pairs left out. */
  flags: string[];
}

/**
 * Reads a service's `start` script, so the bench runs each process with exactly the environment
 * and Node.js flags a deployment starts it with (the memory settings of docs/operations.md).
 * `--import` is left out: telemetry is the caller's choice (on only in case 5).
 */
export function startCommand(packageDir: string): StartCommand {
  const { env, args } = readStartScript(packageDir);
  const flags: string[] = [];
  for (let i = 0; i < args.length && args[i]!.startsWith('-'); i++) {
    if (args[i] === '--import') i++;
    else flags.push(args[i]!);
  }
  return { env, flags };
}

export interface Started {
  url: string;
  service: Service;
  /** The process's database (gateways). */
  databaseUrl?: string;
}

export async function startSandboxProcess(
  ctx: BenchContext,
  name: string,
  latencyMs: number,
): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startService({
    name,
    cwd: join(ctx.root, 'services/upstream-sandbox'),
    script: 'dist/main.js',
    env: { SANDBOX_PORT: String(port), SANDBOX_LATENCY_MS: String(latencyMs), LOG_LEVEL: 'warn' },
    readyUrl: `${url}/healthz`,
    logDir: ctx.logDir,
  });
  return { url, service: ctx.track(service) };
}

export interface GatewayProcessOptions {
  name: string;
  upstreamUrl: string;
  database: 'sqlite' | 'postgres';
  /** A PostgreSQL database another gateway already uses (several gateways on one database). */
  databaseUrl?: string;
  /** OTLP endpoint: telemetry on (node --import @paystream/telemetry/register). */
  otlpUrl?: string;
  /** Listen for the DevTools protocol on this loopback port (profiling passes). */
  inspectPort?: number;
  /** More environment (experiments: one setting against another). */
  extraEnv?: Record<string, string>;
  /** The start script's environment and Node.js flags replaced (experiments: one against another). */
  start?: StartCommand;
  /** The `services/gateway` folder of another build (a commit unpacked and built elsewhere). */
  gatewayDir?: string;
}

export async function startGatewayProcess(ctx: BenchContext, o: GatewayProcessOptions): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl =
    o.databaseUrl ??
    (o.database === 'sqlite'
      ? `sqlite:${join(ctx.tmpDir, `${o.name}.sqlite`)}`
      : await ctx.createDatabase(o.name));
  const cwd = o.gatewayDir ?? join(ctx.root, 'services/gateway');
  const start = o.start ?? startCommand(cwd);
  const service = await startService({
    name: o.name,
    cwd,
    script: 'dist/main.js',
    nodeArgs: [
      ...start.flags,
      ...(o.otlpUrl ? ['--import', '@paystream/telemetry/register'] : []),
      ...(o.inspectPort ? [`--inspect=127.0.0.1:${o.inspectPort}`] : []),
    ],
    env: {
      ...start.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: ctx.kafkaBrokers,
      UPSTREAM_BASE_URL: o.upstreamUrl,
      UPSTREAM_USER_CONFIRM_KEY: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
      UPSTREAM_PRIVATE_KEY: SANDBOX_DEV_CREDENTIALS.privateKey,
      PAYSTREAM_API_KEYS: JSON.stringify([
        { caller: 'bench', sha256: hashApiKey(BENCH_API_KEY), scopes: [...SCOPES] },
      ]),
      // What a deployment runs with: info logs (one line per request), default pool and outbox.
      LOG_LEVEL: 'info',
      ...(o.otlpUrl
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpUrl, OTEL_SERVICE_NAME: 'paystream-gateway-bench' }
        : {}),
      ...o.extraEnv,
    },
    readyUrl: `${url}/healthz`,
    logDir: ctx.logDir,
  });
  return { url, service: ctx.track(service), databaseUrl };
}

/**
 * The pass-through (`pass-through.ts`): the floor under the gateway, started with the gateway's
 * `start` flags and environment so that both pay the same memory settings.
 */
export async function startPassThroughProcess(
  ctx: BenchContext,
  name: string,
  upstreamUrl: string,
): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const start = startCommand(join(ctx.root, 'services/gateway'));
  const service = await startService({
    name,
    cwd: join(ctx.root, 'bench'),
    script: 'dist/pass-through.js',
    nodeArgs: start.flags,
    env: {
      ...start.env,
      PORT: String(port),
      UPSTREAM_BASE_URL: upstreamUrl,
      UPSTREAM_USER_CONFIRM_KEY: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
      UPSTREAM_PRIVATE_KEY: SANDBOX_DEV_CREDENTIALS.privateKey,
      PASS_THROUGH_TOKEN: BENCH_API_KEY,
    },
    readyUrl: `${url}/healthz`,
    logDir: ctx.logDir,
  });
  return { url, service: ctx.track(service) };
}

/** A plugin of a plugin host's config file: a package (or a module's absolute path) and its options. */
export interface PluginEntry {
  package: string;
  options?: unknown;
}

/** The ledger as the consumer cases run it: the accounting plugin, no periodic reconciliation. */
export const LEDGER_PLUGINS: readonly PluginEntry[] = [
  { package: '@paystream/accounting', options: { reconcileIntervalMs: 0 } },
];

export async function startPluginHostProcess(
  ctx: BenchContext,
  name: string,
  databaseUrl: string,
  inspectPort?: number,
  start?: StartCommand,
  plugins: readonly PluginEntry[] = LEDGER_PLUGINS,
): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Resolved from bench/.run, so the bench package's own dependency on @paystream/accounting is found.
  const config = join(ctx.runDir, `plugin-host-${name}.json`);
  writeFileSync(config, JSON.stringify({ plugins }));
  const cwd = join(ctx.root, 'services/plugin-host');
  const { env, flags } = start ?? startCommand(cwd);
  const service = await startService({
    name,
    cwd,
    script: 'dist/main.js',
    nodeArgs: [...flags, ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [])],
    env: {
      ...env,
      PLUGIN_HOST_PORT: String(port),
      HOST: '127.0.0.1',
      PLUGIN_HOST_CONFIG: config,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: ctx.kafkaBrokers,
      LOG_LEVEL: 'info',
    },
    readyUrl: `${url}/readyz`,
    logDir: ctx.logDir,
  });
  return { url, service: ctx.track(service) };
}
