// What a gateway's resident memory is made of under target 1's load (a closed loop of creates,
// upstream instant): where its peak RSS sits, how much of it is V8's heap, the node binary, and
// malloc's arenas, and how much malloc holds without using it. Each repetition is a fresh gateway.
// docs/benchmarks.md ("Peak RSS") records what it found.
//
// Options (all optional):
//   --database sqlite|postgres   the gateway's database (default sqlite)
//   --callers 32 --seconds 20    closed-loop callers and measured seconds per repetition
//   --repeat 1                   fresh gateways one after the other
//   --env KEY=VALUE              more environment for the gateway (repeatable), e.g. MALLOC_ARENA_MAX=1
//   --node-flag <flag>           a Node.js flag after the start script's (repeatable), e.g. --no-wasm-tier-up
//   --cpu-of postgres,java       also the CPU per create of every process of these names
// With gdb on PATH, each gateway's malloc_stats() is read at the end, and its RSS again after
// malloc_trim(0): what glibc holds freed. KAFKA_BROKERS unset: an embedded bus, as in `make start`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayCaller } from './callers.js';
import { BenchContext, benchPgAdminUrl } from './context.js';
import { envFor } from './env-for.js';
import {
  atPeak,
  type MallocStats,
  parseMallocStats,
  parseSamples,
  type SmapsSummary,
  summarizeSmaps,
} from './footprint-report.js';
import { closedLoop } from './load.js';
import { wholeOption } from './options.js';
import { cpuSecondsOf } from './processes.js';
import { startCommand, startGatewayProcess, startSandboxProcess } from './stack.js';

const { values: args } = parseArgs({
  options: {
    database: { type: 'string', default: 'sqlite' },
    callers: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '20' },
    repeat: { type: 'string', default: '1' },
    env: { type: 'string', multiple: true, default: [] },
    'node-flag': { type: 'string', multiple: true, default: [] },
    'cpu-of': { type: 'string', default: '' },
  },
});

const whole = (name: 'callers' | 'seconds' | 'repeat') => wholeOption(name, args[name], 1);
if (args.database !== 'sqlite' && args.database !== 'postgres')
  throw new Error(`--database: ${args.database} is neither sqlite nor postgres`);
const database = args.database;
const callers = whole('callers');
const seconds = whole('seconds');
const repeat = whole('repeat');
const otherNames = args['cpu-of'].split(',').filter((n) => n !== '');

/** CPU seconds used so far by every process whose command name is `name`. */
function cpuOfProcessesNamed(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === name)
        total += cpuSecondsOf(Number(pid));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

function hasGdb(): boolean {
  try {
    execFileSync('gdb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const fmt = (mb: number) => `${mb.toFixed(1)} MB`;
const smapsLine = (s: SmapsSummary) =>
  `node binary ${fmt(s.nodeBinary)}, other files ${fmt(s.otherFiles)}, [heap] ${fmt(s.brkHeap)}, anonymous ${fmt(s.anonymous)} (total ${fmt(s.total)})`;

const root = resolve(import.meta.dirname, '../..');
const brokers = process.env.KAFKA_BROKERS ?? '';
const ctx = new BenchContext(
  root,
  { seconds, warmupSeconds: 1, rounds: repeat, events: 2, cases: new Set(), profile: false },
  brokers,
  false,
  benchPgAdminUrl(),
);
const gdb = hasGdb();
try {
  const sandbox = await startSandboxProcess(ctx, 'footprint-sandbox', 0);
  const script = startCommand(join(root, 'services/gateway'));
  const start = { env: script.env, flags: [...script.flags, ...args['node-flag']] };
  console.info(
    `${database}, ${callers} callers, ${seconds} s, start flags ${start.flags.join(' ')}, env ${JSON.stringify({ ...start.env, ...envFor(args.env, 'gw') })}` +
      `${gdb ? '' : ' (no gdb on PATH: no malloc figures)'}`,
  );
  for (let i = 1; i <= repeat; i++) {
    const name = `footprint-${i}`;
    const samplesFile = join(ctx.runDir, `${name}.jsonl`);
    const gw = await startGatewayProcess(ctx, {
      name,
      upstreamUrl: sandbox.url,
      database,
      start: {
        env: start.env,
        flags: [...start.flags, '--import', join(import.meta.dirname, 'footprint-sampler.js')],
      },
      extraEnv: {
        ...(brokers ? {} : { EMBEDDED_BUS_FILE: join(ctx.tmpDir, `${name}-bus.sqlite`) }),
        FOOTPRINT_SAMPLES: samplesFile,
        ...envFor(args.env, 'gw'),
      },
    });
    const pid = gw.service.pid;
    const logStart = readFileSync(join(ctx.logDir, `${name}.log`), 'utf8').length;
    const idle = summarizeSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
    const caller = gatewayCaller(gw.url, callers);
    const others0 = otherNames.map(cpuOfProcessesNamed);
    const cpu0 = gw.service.cpuSeconds();
    const run = `${Date.now().toString(36)}${i}`;
    const load = await closedLoop({
      callers,
      seconds,
      warmupSeconds: 1,
      call: (n) => caller.create(`fp${run}-${n}`),
    });
    const perCreate = (s: number) => Math.round((s * 1e6) / Math.max(1, load.total));
    const cpu = perCreate(gw.service.cpuSeconds() - cpu0);
    const others = otherNames.map((n, k) => `${n} ${perCreate(cpuOfProcessesNamed(n) - others0[k]!)} µs`);
    await caller.close();
    const end = summarizeSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
    let malloc = '';
    if (gdb) {
      execFileSync(
        'gdb',
        ['-p', String(pid), '-batch', '-ex', 'call (void)malloc_stats()', '-ex', 'call (int)malloc_trim(0)'],
        { stdio: 'ignore' },
      );
      // The report goes to the gateway's stderr, which reaches its log file through a pipe.
      let stats: MallocStats | undefined;
      for (let tries = 0; !stats && tries < 20; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        stats = parseMallocStats(readFileSync(join(ctx.logDir, `${name}.log`), 'utf8').slice(logStart));
      }
      const trimmed = summarizeSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
      if (stats)
        malloc =
          `\n  malloc: ${fmt(stats.inUse)} in use of ${fmt(stats.system)} from the system ` +
          `(${stats.arenas.map((a, k) => `arena ${k}: ${fmt(a.inUse)} of ${fmt(a.system)}`).join(', ')})` +
          `\n  after malloc_trim(0): ${smapsLine(trimmed)}`;
    }
    const peak = atPeak(parseSamples(readFileSync(samplesFile, 'utf8')));
    const spaces = peak
      ? Object.entries(peak.spaces)
          .filter(([, mb]) => mb >= 0.5)
          .map(([space, mb]) => `${space.replace(/_space$/, '')} ${mb.toFixed(1)}`)
          .join(', ')
      : '';
    console.info(
      `\n#${i}: ${Math.round(load.perSecond)} creates/s, gateway ${cpu} µs CPU/create${others.length ? `, ${others.join(', ')}` : ''}` +
        `${load.errors ? `, ${load.errors} ERRORS (${load.firstError})` : ''}, peak RSS (VmHWM) ${fmt(gw.service.peakRssMB())}` +
        (peak
          ? `\n  at the highest sample: RSS ${fmt(peak.rss)} = files ${fmt(peak.file)} + anonymous ${fmt(peak.anon)};` +
            ` V8 heap ${fmt(peak.heapTotal)} (${spaces}), ${fmt(peak.heapUsed)} used;` +
            ` anonymous outside the heap ${fmt(peak.anonOutsideHeap)}; array buffers ${fmt(peak.arrayBuffers)}`
          : '') +
        `\n  idle, after start: ${smapsLine(idle)}\n  after the load: ${smapsLine(end)}${malloc}`,
    );
    await ctx.stop(gw.service);
  }
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await ctx.cleanup();
}
