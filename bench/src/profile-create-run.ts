// Gateway CPU per create, build against build: the sandbox and each gateway as processes of their
// own from their built dist, this process as the callers, arms rotating round by round (arms.ts).
// CPU time (every thread of the gateway, from /proc) moves far less than wall time on a shared
// machine, so that is the figure to compare; throughput and latency are printed beside it.
// bench/PROFILE.md records how it was used and what it found.
//
// Options (all optional):
//   --callers 32            callers in flight (closed loop)
//   --seconds 10 --warmup 2 measured and warm-up seconds per arm and round
//   --rounds 3              the figure of an arm is its median over rounds
//   --modes plain,key       `plain`: no Idempotency-Key; `key`: a new one per create
//   --upstream-delay 0      ms the sandbox waits before each answer (SANDBOX_LATENCY_MS)
//   --direct                a baseline arm: the same creates sent straight to the sandbox
//   --gateway label=<dir>   the services/gateway folder of a build to measure (repeatable);
//                           default this checkout's
//   --env [label:]KEY=VALUE more environment for every gateway, or the one of that label
//   --database sqlite|postgres
//   --profile               then a profiling pass on this checkout's gateway (bench/.run/*.cpuprofile)
//   --json <file>           the figures as JSON too
// KAFKA_BROKERS unset: each gateway on an embedded bus of its own, as in `make start`.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Arm, alternateArms } from './arms.js';
import { type Caller, directCaller, gatewayCaller } from './callers.js';
import { profileGateway } from './cases/profiles.js';
import { BenchContext, benchPgAdminUrl } from './context.js';
import { envFor } from './env-for.js';
import { wholeOption } from './options.js';
import { startGatewayProcess, startSandboxProcess } from './stack.js';

const { values: args } = parseArgs({
  options: {
    callers: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'plain,key' },
    'upstream-delay': { type: 'string', default: '0' },
    direct: { type: 'boolean', default: false },
    gateway: { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    database: { type: 'string', default: 'sqlite' },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const whole = (name: keyof typeof args, min: number) => wholeOption(name, String(args[name]), min);

const callers = whole('callers', 1);
const database = args.database === 'postgres' ? 'postgres' : 'sqlite';
const modes = args.modes.split(',').map((m) => {
  if (m !== 'plain' && m !== 'key') throw new Error(`--modes: ${m} is neither plain nor key`);
  return m;
});
const root = resolve(import.meta.dirname, '../..');
const builds = args.gateway.length
  ? args.gateway.map((g, i) => {
      const [label, dir] = g.includes('=') ? (g.split('=', 2) as [string, string]) : [`gw${i + 1}`, g];
      return { label, dir: resolve(dir) };
    })
  : [{ label: 'gw', dir: join(root, 'services/gateway') }];
const brokers = process.env.KAFKA_BROKERS ?? '';
const ctx = new BenchContext(
  root,
  {
    seconds: whole('seconds', 1),
    warmupSeconds: whole('warmup', 0),
    rounds: whole('rounds', 1),
    events: 2,
    cases: new Set(),
    profile: args.profile,
  },
  brokers,
  false,
  benchPgAdminUrl(),
);
const callersToClose: Caller[] = [];
try {
  const sandbox = await startSandboxProcess(ctx, 'profile-sandbox', whole('upstream-delay', 0));
  const arms: Arm[] = [];
  for (const { label, dir } of builds) {
    const gw = await startGatewayProcess(ctx, {
      name: `profile-${label}`,
      upstreamUrl: sandbox.url,
      database,
      gatewayDir: dir,
      extraEnv: {
        ...(brokers ? {} : { EMBEDDED_BUS_FILE: join(ctx.tmpDir, `${label}-bus.sqlite`) }),
        ...envFor(args.env, label),
      },
    });
    for (const mode of modes) {
      const caller = gatewayCaller(gw.url, callers, { idempotencyKey: mode === 'key' });
      callersToClose.push(caller);
      arms.push({ id: `${label}-${mode}`, caller, service: gw.service });
    }
  }
  if (args.direct) {
    const caller = directCaller(sandbox.url);
    callersToClose.push(caller);
    arms.push({ id: 'direct', caller });
  }
  console.info(
    `${callers} callers, ${ctx.settings.rounds} rounds of ${ctx.settings.seconds} s (+${ctx.settings.warmupSeconds} s warm-up), ` +
      `upstream delay ${args['upstream-delay']} ms, ${database}, logs in ${ctx.logDir}`,
  );
  const summaries = await alternateArms(ctx, 'profile', arms, callers);
  console.info(`\nmedian over ${ctx.settings.rounds} rounds`);
  for (const [id, s] of Object.entries(summaries))
    console.info(
      `${id.padEnd(20)} ${String(s.perSecond).padStart(7)} creates/s, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms` +
        `${s.cpuUsPerCall === undefined ? '' : `, gateway ${s.cpuUsPerCall} µs CPU/create`}` +
        `${s.errors ? `, ${s.errors} ERRORS` : ''}`,
    );
  const profile = await profileGateway(ctx, sandbox.url, database, callers);
  if (profile) {
    console.info(
      `\nprofile (bench/.run/gw-profile-${database}.cpuprofile): ${profile.busyUsPerCall} µs sampled/create`,
    );
    for (const { name, percent } of profile.topFunctions)
      console.info(`${percent.toFixed(1).padStart(5)} %  ${name}`);
  }
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ callers, summaries, profile }, null, 2)}\n`);
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await Promise.allSettled(callersToClose.map((c) => c.close()));
  await ctx.cleanup();
}
