// Gateway CPU per create, measured the way it runs in production: the sandbox and the gateway as
// separate processes from their built `dist`, and this process as the callers (closed loop, every
// caller sends its next create as soon as the last one answered). Wall-clock throughput on a shared
// 2-core machine moves with whatever else runs; the CPU the gateway process spends (utime + stime
// of /proc/<pid>/stat, all its threads) per create barely does, so that is the figure to compare.
//
//   pnpm run build && node services/gateway/bench/profile-create.ts [options]
//
// Options (all optional):
//   --callers 32          callers in flight
//   --creates 20000       measured creates per arm (plus --warmup before each)
//   --warmup 2000
//   --rounds 1            arms are run in rounds; with several gateways they interleave, so a
//                         before/after comparison shares the machine's state
//   --modes plain,key     `plain` (no Idempotency-Key) and/or `key` (a new key per create)
//   --upstream-delay 0    ms the sandbox waits before answering each create (a delay fault)
//   --direct              also run the baseline: the same creates sent straight to the sandbox
//                         by @paystream/upstream-client from this process
//   --gateway <main.js>   the gateway build to measure (repeatable, `label=path` to name it);
//                         default this checkout's services/gateway/dist/main.js
//   --env KEY=VALUE       extra environment for the gateways (repeatable), e.g. LOG_LEVEL=warn;
//                         `label:KEY=VALUE` sets it for the gateway of that label only
//   --database sqlite|postgres   postgres: a fresh database on PAYSTREAM_TEST_PG_URL (or local)
//   --cpu-prof <dir>      start the gateways with --cpu-prof; the profile covers the whole run
//   --json <file>         write the figures as JSON too
//   --keep                keep the temporary folder (databases, each process's log)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hashApiKey, SCOPES } from '@paystream/config';
import { createPostgresTestDatabase, type TestDatabase } from '@paystream/db/testing';
import { minorUnits } from '@paystream/money';
import { createUpstreamClient } from '@paystream/upstream-client';
import { SANDBOX_DEV_CREDENTIALS, sandboxControls } from '@paystream/upstream-sandbox';
import { Agent, request } from 'undici';

const here = import.meta.dirname;
const repo = resolve(here, '../../..');
const { values: args } = parseArgs({
  options: {
    callers: { type: 'string', default: '32' },
    creates: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
    modes: { type: 'string', default: 'plain,key' },
    'upstream-delay': { type: 'string', default: '0' },
    direct: { type: 'boolean', default: false },
    gateway: { type: 'string', multiple: true },
    env: { type: 'string', multiple: true, default: [] },
    database: { type: 'string', default: 'sqlite' },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const callers = Number(args.callers);
const creates = Number(args.creates);
const warmup = Number(args.warmup);
const rounds = Number(args.rounds);
const modes = args.modes.split(',') as ('plain' | 'key')[];
const upstreamDelayMs = Number(args['upstream-delay']);
const gatewayMains = (args.gateway ?? [join(repo, 'services/gateway/dist/main.js')]).map((g, i) => {
  const [label, path] = g.includes('=') ? (g.split('=', 2) as [string, string]) : [`gw${i + 1}`, g];
  return { label, path: resolve(path) };
});
/** The --env entries for one gateway: global ones and those of its label. */
function envFor(label: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of args.env) {
    const scoped = /^([\w.-]+):(\w+)=(.*)$/.exec(entry);
    const global = /^(\w+)=(.*)$/.exec(entry);
    if (scoped && scoped[1] === label) env[scoped[2]!] = scoped[3]!;
    else if (!scoped && global) env[global[1]!] = global[2]!;
  }
  return env;
}
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const API_KEY = `psk_bench_${randomBytes(12).toString('hex')}`;
const run = randomBytes(3).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'paystream-profile-'));
const children: ChildProcess[] = [];
const databases: TestDatabase[] = [];

/** CPU seconds a process has used so far (user + system, every thread). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer ${url}`);
}

function start(what: string, main: string, env: Record<string, string>, nodeArgs: string[] = []) {
  const log = openSync(join(tmp, `${what}.log`), 'a');
  const { KAFKA_BROKERS: _k, DATABASE_URL: _d, ...inherited } = process.env;
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: dirname(main),
    env: { ...inherited, ...env },
    stdio: ['ignore', log, log],
  });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const sandboxPort = await freePort();
const sandbox = start('sandbox', join(repo, 'services/upstream-sandbox/dist/main.js'), {
  SANDBOX_PORT: String(sandboxPort),
});
const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
await waitFor(`${sandboxUrl}/__sandbox/faults`, sandbox, 'sandbox');
const controls = sandboxControls(sandboxUrl);

interface Gateway {
  label: string;
  url: string;
  process: ChildProcess;
}

const gateways: Gateway[] = [];
for (const { label, path } of gatewayMains) {
  const port = await freePort();
  let databaseUrl = `sqlite:${join(tmp, `${label}.sqlite`)}`;
  if (args.database === 'postgres') {
    const db = await createPostgresTestDatabase('paystream_profile');
    databases.push(db);
    databaseUrl = db.url;
  }
  const cpuProf = args['cpu-prof'] ? resolve(args['cpu-prof']) : undefined;
  if (cpuProf) mkdirSync(cpuProf, { recursive: true });
  const child = start(
    label,
    path,
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      EMBEDDED_BUS_FILE: join(tmp, `${label}-bus.sqlite`),
      PAYSTREAM_API_KEYS: JSON.stringify([
        { caller: 'bench', sha256: hashApiKey(API_KEY), scopes: [...SCOPES] },
      ]),
      UPSTREAM_BASE_URL: sandboxUrl,
      UPSTREAM_USER_CONFIRM_KEY: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
      UPSTREAM_PRIVATE_KEY: SANDBOX_DEV_CREDENTIALS.privateKey,
      ...envFor(label),
    },
    cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`, `--cpu-prof-name=${label}-${run}.cpuprofile`] : [],
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, child, label);
  gateways.push({ label, url, process: child });
}

const agent = new Agent({ connections: callers, keepAliveTimeout: 30_000 });
const direct = createUpstreamClient({
  baseUrl: sandboxUrl,
  credentials: SANDBOX_DEV_CREDENTIALS,
  connections: callers,
});
let counter = 0;
const nextNo = (prefix: string) => `${prefix}-${run}-${++counter}`;

async function gatewayCreate(gw: Gateway, mode: 'plain' | 'key'): Promise<void> {
  const outTradeNo = nextNo(gw.label);
  const res = await request(`${gw.url}/v1/payments`, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/json',
      ...(mode === 'key' ? { 'idempotency-key': `k-${outTradeNo}` } : {}),
    },
    body: JSON.stringify({
      outTradeNo,
      amount: '12.34',
      currency: 'HKD',
      wallet: 'WECHATHK',
      description: 'bench',
    }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`gateway create answered ${res.statusCode}: ${text}`);
}

async function directCreate(): Promise<void> {
  const r = await direct.createPayment({
    outTradeNo: nextNo('direct'),
    amount: minorUnits(12_34),
    currency: 'HKD',
    wallet: 'WECHATHK',
    notifyUrl: 'http://127.0.0.1:9/v1/notifications/upstream',
    description: 'bench',
  });
  if (r.outcome !== 'success') throw new Error(`direct create: ${JSON.stringify(r)}`);
}

/** Runs `total` calls with `callers` in flight, each starting when the previous one answered. */
async function closedLoop(total: number, call: () => Promise<void>): Promise<void> {
  let issued = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (issued < total) {
        issued++;
        await call();
      }
    }),
  );
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

async function armDelay(): Promise<void> {
  await controls.clearFaults();
  if (upstreamDelayMs > 0) {
    // One fault holds at most 10,000 uses; queue enough for the arm and its warm-up.
    for (let left = warmup + creates; left > 0; left -= 10_000) {
      await controls.fault({ operation: 'create', delayMs: upstreamDelayMs, times: Math.min(left, 10_000) });
    }
  }
}

interface Figure {
  arm: string;
  round: number;
  creates: number;
  seconds: number;
  createsPerSecond: number;
  gatewayCpuUsPerCreate?: number;
  sandboxCpuUsPerCreate: number;
  driverCpuUsPerCreate: number;
}

const figures: Figure[] = [];

async function measure(arm: string, round: number, call: () => Promise<void>, pid?: number) {
  await armDelay();
  await closedLoop(warmup, call);
  const g0 = pid === undefined ? 0 : cpuSeconds(pid);
  const s0 = cpuSeconds(sandbox.pid!);
  const d0 = process.cpuUsage();
  const t0 = performance.now();
  await closedLoop(creates, call);
  const seconds = (performance.now() - t0) / 1000;
  const d = process.cpuUsage(d0);
  const perCreate = (cpu: number) => Math.round((cpu * 1e6) / creates);
  const figure: Figure = {
    arm,
    round,
    creates,
    seconds: Number(seconds.toFixed(2)),
    createsPerSecond: Math.round(creates / seconds),
    ...(pid === undefined ? {} : { gatewayCpuUsPerCreate: perCreate(cpuSeconds(pid) - g0) }),
    sandboxCpuUsPerCreate: perCreate(cpuSeconds(sandbox.pid!) - s0),
    driverCpuUsPerCreate: perCreate((d.user + d.system) / 1e6),
  };
  figures.push(figure);
  console.info(
    `${arm.padEnd(24)} round ${round}: ${String(figure.createsPerSecond).padStart(5)} creates/s` +
      (figure.gatewayCpuUsPerCreate === undefined
        ? ''
        : `, gateway ${String(figure.gatewayCpuUsPerCreate).padStart(5)} µs CPU/create`) +
      `, sandbox ${figure.sandboxCpuUsPerCreate} µs, driver ${figure.driverCpuUsPerCreate} µs`,
  );
}

try {
  console.info(
    `callers ${callers}, ${creates} creates per arm (+${warmup} warm-up), upstream delay ${upstreamDelayMs} ms, ` +
      `database ${args.database}, logs in ${tmp}`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const gw of gateways) {
      for (const mode of modes) {
        await measure(`${gw.label} ${mode}`, round, () => gatewayCreate(gw, mode), gw.process.pid);
      }
    }
    if (args.direct) await measure('direct (upstream-client)', round, directCreate);
  }
  if (rounds > 1) {
    console.info(`\nmedian over ${rounds} rounds`);
    for (const arm of new Set(figures.map((f) => f.arm))) {
      const of = figures.filter((f) => f.arm === arm);
      const cpu = of.flatMap((f) => (f.gatewayCpuUsPerCreate === undefined ? [] : [f.gatewayCpuUsPerCreate]));
      console.info(
        `${arm.padEnd(24)} ${String(median(of.map((f) => f.createsPerSecond))).padStart(5)} creates/s` +
          (cpu.length > 0 ? `, gateway ${String(median(cpu)).padStart(5)} µs CPU/create` : ''),
      );
    }
  }
  if (args.json)
    writeFileSync(args.json, `${JSON.stringify({ callers, upstreamDelayMs, figures }, null, 2)}\n`);
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await controls.clearFaults().catch(() => {});
  await Promise.all([agent.close(), direct.destroy()]);
  for (const child of children.reverse()) await stop(child);
  for (const db of databases) await db.drop();
  if (args['cpu-prof']) console.info(`profiles in ${resolve(args['cpu-prof'])}`);
  if (!process.exitCode && !args.keep) rmSync(tmp, { recursive: true, force: true });
  else console.info(`kept ${tmp}`);
}
