// Telemetry's cost with every arm under load at the same time: `node dist/telemetry-ab.js`, with
// KAFKA_BROKERS set (a broker of your own). Case 5 of `make bench` runs its arms one after the
// other, so on a machine that other work shares, a neighbour's burst lands on one arm and not the
// other; here the gateways (telemetry off, on, and any variant in AB_VARIANTS) take the same load
// in the same seconds, and the figure is each one's CPU per create against the off arm's, per round.
//
// AB_ROUNDS (7), AB_SECONDS (8), AB_VARIANTS: JSON `[{"id": "...", "env": {...}}]`, gateways with
// telemetry on and that environment on top (`{"OTEL_TRACES_EXPORTER": "none"}`: instrumented,
// nothing recorded). Every telemetry-on arm is scraped every second, as in case 5.
import { scrapeEverySecond } from './arms.js';
import { type Caller, gatewayCaller } from './callers.js';
import { BenchContext } from './context.js';
import { closedLoop } from './load.js';
import { startOtlpReceiver } from './otlp-receiver.js';
import { type Started, startGatewayProcess, startSandboxProcess } from './stack.js';
import { median, round } from './stats.js';

interface AbArm {
  id: string;
  gw: Started;
  caller: Caller;
  scraped: boolean;
}

const rounds = Number(process.env.AB_ROUNDS ?? 7);
const seconds = Number(process.env.AB_SECONDS ?? 8);
const variants = JSON.parse(process.env.AB_VARIANTS ?? '[]') as { id: string; env: Record<string, string> }[];
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  console.error('KAFKA_BROKERS is not set: name a broker of your own');
  process.exit(2);
}
const callers = 64;
const root = new URL('../..', import.meta.url).pathname;
const ctx = new BenchContext(
  root,
  { seconds, warmupSeconds: 0, rounds, events: 2, cases: new Set([5]), profile: false },
  brokers,
  false,
  process.env.PAYSTREAM_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
);
try {
  const sandbox = await startSandboxProcess(ctx, 'ab-sandbox', 20);
  const receiver = await startOtlpReceiver();
  const gateway = (name: string, otlp: boolean, env: Record<string, string> = {}) =>
    startGatewayProcess(ctx, {
      name: `ab-${name}`,
      upstreamUrl: sandbox.url,
      database: 'sqlite',
      ...(otlp ? { otlpUrl: receiver.url } : {}),
      extraEnv: env,
    });
  const defs = [
    { id: 'off', otlp: false, env: {} },
    { id: 'on', otlp: true, env: {} },
    ...variants.map((v) => ({ ...v, otlp: true })),
  ];
  const arms: AbArm[] = [];
  for (const d of defs) {
    const gw = await gateway(d.id, d.otlp, d.env);
    arms.push({ id: d.id, gw, caller: gatewayCaller(gw.url, callers), scraped: d.otlp });
  }
  const run = (secs: number, tag: string) =>
    Promise.all(
      arms.map(async (a) => {
        const scraper = a.scraped ? scrapeEverySecond(`${a.gw.url}/metrics`) : undefined;
        const cpu0 = a.gw.service.cpuSeconds();
        const r = await closedLoop({
          callers,
          seconds: secs,
          warmupSeconds: 0,
          call: (i) => a.caller.create(`ab${ctx.runId}-${a.id}-${tag}-${i}`),
        });
        const cpu1 = a.gw.service.cpuSeconds();
        await scraper?.stop();
        return { id: a.id, perSecond: r.perSecond, errors: r.errors, us: ((cpu1 - cpu0) / r.total) * 1e6 };
      }),
    );
  await run(5, 'warm');
  const ratios = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const res = await run(seconds, `r${r}`);
    const off = res.find((x) => x.id === 'off')!;
    console.info(
      res
        .map(
          (x) =>
            `${x.id} ${Math.round(x.perSecond)}/s ${Math.round(x.us)} µs${x.errors ? ` ERRORS ${x.errors}` : ''}`,
        )
        .join(' | '),
    );
    for (const x of res) if (x.id !== 'off') ratios.set(x.id, [...(ratios.get(x.id) ?? []), x.us / off.us]);
  }
  for (const [id, rs] of ratios)
    console.info(
      `${id} ÷ off, CPU per create: median ${round(median(rs), 3)} (rounds: ${rs.map((x) => round(x, 2)).join(', ')})`,
    );
  console.info(`spans received: ${receiver.counts().spans}`);
  for (const a of arms) await a.caller.close();
  await receiver.close();
} finally {
  await ctx.cleanup();
}
