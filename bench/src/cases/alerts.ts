// Target 7: a refund the aggregator answers 64 (balance insufficient) → the alert received from a
// real Alertmanager. The stack: the sandbox (every refund answered 64 through its fault controls),
// the gateway on Kafka, a plugin host running the alerting plugin (its shipped options, Alertmanager
// as its channel), Alertmanager (the Debian binary scripts/system-tools.sh installs, as the alerting
// suites start it) with a webhook receiver: an HTTP server in this process. Each alert is told apart
// by its order: the bench's rule is the shipped BalanceInsufficient with `outTradeNo` added to its
// groupBy (shipped, repeats of a 64 join one open alert), and Alertmanager groups by every label
// (`group_by: ['...']`, group_wait 0s), so every refund is one notification of its own.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@paystream/bus/testing';
import { sandboxControls } from '@paystream/upstream-sandbox';
import { Pool } from 'undici';
import { ensureEventsTopic, kafkaFor, placeGroup, topicEnds } from '../backlog.js';
import { gatewayCaller } from '../callers.js';
import type { BenchContext } from '../context.js';
import { openLoop } from '../load.js';
import { cpuSecondsOf, peakRssMBOf, type Service } from '../processes.js';
import type { TargetResult } from '../results.js';
import { BENCH_API_KEY, startGatewayProcess, startPluginHostProcess, startSandboxProcess } from '../stack.js';
import { median, round, summarize } from '../stats.js';
import { alertWithin } from '../targets.js';

const ALERTING_GROUP = 'paystream.plugin.alerting';
/** Refunds per measured round, and their rate (a modest one: alerts are rare events). */
const REFUNDS = 30;
const PER_SECOND = 5;

/** The shipped BalanceInsufficient rule (plugins/alerting/rules/default.yaml), one alert per order. */
const RULES = {
  defaults: { resolveAfter: '10m', groupBy: ['code', 'category', 'wallet', 'operation'] },
  rules: [
    {
      name: 'BalanceInsufficient',
      kind: 'code',
      severity: 'critical',
      runbook: 'docs/runbooks/{{code}}.md',
      match: { codes: ['64', '-53'] },
      groupBy: ['code', 'category', 'wallet', 'operation', 'outTradeNo'],
      summary:
        'Money cannot be given back: the merchant balance is insufficient ({{operation}} answered {{code}}, {{wallet}})',
      description:
        'Recharge the aggregator account. Blocked: {{operation}} of order {{outTradeNo}}, refund {{refundNo}} ({{refundAmount}} {{currency}}).',
    },
  ],
};

const amConfig = (webhookUrl: string) => `route:
  receiver: bench
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: bench
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: false
`;

/** The Alertmanager binary, installed by scripts/system-tools.sh when missing; why not, if it cannot be. */
function alertmanagerBinary(root: string): string | undefined {
  const has = () => {
    try {
      execFileSync('sh', ['-c', 'command -v prometheus-alertmanager'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return undefined;
  try {
    execFileSync(join(root, 'scripts/system-tools.sh'), { stdio: 'inherit' });
  } catch (err) {
    return `prometheus-alertmanager is missing and scripts/system-tools.sh could not install it: ${(err as Error).message}`;
  }
  return has() ? undefined : 'prometheus-alertmanager is still missing after scripts/system-tools.sh';
}

/** Alertmanager on a free port with `config`, as a tracked service (stopped at the end, even on failure). */
async function startAlertmanager(ctx: BenchContext, config: string): Promise<Service & { url: string }> {
  const dir = join(ctx.tmpDir, 'alertmanager');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `--config.file=${file}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
  ];
  const log = createWriteStream(join(ctx.logDir, 'alertmanager.log'), { flags: 'a' });
  const child = spawn('prometheus-alertmanager', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start prometheus-alertmanager');
  let lastCpu = 0;
  let lastRss = 0;
  const service = {
    name: 'alertmanager',
    pid,
    url,
    command: `prometheus-alertmanager ${args.join(' ')}`,
    cpuSeconds: () => {
      if (child.exitCode === null) lastCpu = cpuSecondsOf(pid);
      return lastCpu;
    },
    peakRssMB: () => {
      if (child.exitCode === null) lastRss = peakRssMBOf(pid);
      return lastRss;
    },
    async stop() {
      if (child.exitCode !== null) return;
      lastCpu = cpuSecondsOf(pid);
      lastRss = peakRssMBOf(pid);
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      await exit;
      log.end();
    },
  };
  ctx.track(service);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return service;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`alertmanager did not become ready; see ${ctx.logDir}/alertmanager.log`);
    await sleep(100);
  }
}

/** The webhook receiver: when the first notification naming each order arrived. */
async function startReceiver() {
  const received = new Map<string, number>();
  let notifications = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      notifications++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          alerts?: { labels?: Record<string, string>; annotations?: Record<string, string> }[];
        };
        for (const a of body.alerts ?? []) {
          const order = a.labels?.outTradeNo ?? a.annotations?.outTradeNo;
          if (order && !received.has(order)) received.set(order, at);
        }
      } catch {
        // not a notification: ignored
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received,
    notifications: () => notifications,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface RoundFigures {
  round: number;
  refunds: number;
  alerts: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  firstError?: string;
}

const NOT_RUN = (why: string): TargetResult => ({
  id: 7,
  comparison: 'refund answered 64 → alert received from a real Alertmanager',
  target: `reported; p99 ≤ 2 s`,
  measured: `not run: ${why}`,
  verdict: 'not run',
  figures: {},
});

export async function refundAlert(ctx: BenchContext): Promise<TargetResult> {
  const missing = alertmanagerBinary(ctx.root);
  if (missing) return NOT_RUN(missing);
  const plugin = join(ctx.root, 'plugins/alerting/dist/index.js');
  if (!existsSync(plugin)) return NOT_RUN(`${plugin} is not built (make bench builds every package)`);

  const receiver = await startReceiver();
  const rounds: RoundFigures[] = [];
  let notifications = 0;
  const pool: { p?: Pool } = {};
  try {
    const am = await startAlertmanager(ctx, amConfig(receiver.url));
    const sandbox = await startSandboxProcess(ctx, 'sandbox-alerts', 0);
    const gateway = await startGatewayProcess(ctx, {
      name: 'gw-alerts',
      upstreamUrl: sandbox.url,
      database: 'sqlite',
    });
    // The plugin's group starts at the topic's end, whatever earlier cases left on the topic.
    const kafka = kafkaFor(ctx.kafkaBrokers, 'paystream-bench');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureEventsTopic(admin);
      await placeGroup(admin, ALERTING_GROUP, await topicEnds(admin));
    } finally {
      await admin.disconnect();
    }
    const host = await startPluginHostProcess(
      ctx,
      'plugin-host-alerts',
      await ctx.createDatabase('alerting'),
      undefined,
      undefined,
      [{ package: plugin, options: { alertmanagerUrl: am.url, rules: RULES } }],
    );
    const creator = gatewayCaller(gateway.url, 8);
    const controls = sandboxControls(sandbox.url);
    pool.p = new Pool(gateway.url, { connections: 16 });
    const refund = async (no: string): Promise<void> => {
      const res = await pool.p!.request({
        method: 'POST',
        path: `/v1/payments/${encodeURIComponent(no)}/refunds`,
        headers: {
          authorization: `Bearer ${BENCH_API_KEY}`,
          'content-type': 'application/json',
          'idempotency-key': `refund-${no}`,
        },
        body: JSON.stringify({ refundNo: `${no}-r`, amount: '1.00' }),
      });
      const text = await res.body.text();
      let code: unknown;
      try {
        code = (JSON.parse(text) as { code?: unknown }).code;
      } catch {
        code = undefined;
      }
      if (code !== '64') throw new Error(`refund of ${no}: ${res.statusCode} ${text.slice(0, 200)}`);
    };
    console.info(
      `refund answered 64 → alert at Alertmanager's receiver, ${REFUNDS} refunds a round (target 7)`,
    );
    try {
      // Round 0 warms up (connections, the plugin's group, Alertmanager) and is not counted.
      for (let r = 0; r <= ctx.settings.rounds; r++) {
        const n = r === 0 ? 5 : REFUNDS;
        const orders = Array.from({ length: n }, (_, i) => `b${ctx.runId}-a${r}-${i}`);
        for (const no of orders) {
          await creator.create(no);
          const pay = await controls.pay(no, { notify: true });
          if (pay.status !== 200 || pay.body.notify?.status !== 200)
            throw new Error(`paying ${no}: sandbox ${pay.status}, gateway notify ${pay.body.notify?.status}`);
        }
        await controls.fault({ code: '64', operation: 'refund', times: n });
        const answered = new Map<string, number>();
        const load = await openLoop({
          perSecond: PER_SECOND,
          seconds: n / PER_SECOND,
          call: async (i) => {
            await refund(orders[i]!);
            answered.set(orders[i]!, performance.now());
          },
        });
        await controls.clearFaults();
        const deadline = Date.now() + 30_000;
        while ([...answered.keys()].some((no) => !receiver.received.has(no)) && Date.now() < deadline)
          await sleep(50);
        if (r === 0) continue;
        const lat = [...answered].flatMap(([no, at]) => {
          const got = receiver.received.get(no);
          return got === undefined ? [] : [Math.max(0, got - at)];
        });
        const missingAlerts = answered.size - lat.length;
        const s = summarize(lat);
        const f: RoundFigures = {
          round: r,
          refunds: answered.size,
          alerts: lat.length,
          p50: round(s.p50, 1),
          p95: round(s.p95, 1),
          p99: round(s.p99, 1),
          max: round(s.max, 1),
          errors: load.errors + missingAlerts,
          ...(load.firstError
            ? { firstError: load.firstError }
            : missingAlerts
              ? { firstError: `${missingAlerts} alerts never reached the receiver within 30 s` }
              : {}),
        };
        rounds.push(f);
        console.info(
          `  round ${r}: ${f.refunds} refunds, ${f.alerts} alerts; p50 ${f.p50} p99 ${f.p99} ms` +
            `${f.errors ? `; ERRORS ${f.errors}: ${f.firstError}` : ''}`,
        );
      }
    } finally {
      await creator.close();
      notifications = receiver.notifications();
      for (const p of [host, gateway, sandbox]) await ctx.stop(p.service);
      await ctx.stop(am);
    }
  } finally {
    await pool.p?.close();
    await receiver.close();
  }
  const med = (pick: (f: RoundFigures) => number) => round(median(rounds.map(pick)), 1);
  const p = { p50: med((f) => f.p50), p95: med((f) => f.p95), p99: med((f) => f.p99) };
  const errors = rounds.reduce((n, f) => n + f.errors, 0);
  return {
    id: 7,
    comparison:
      "refund answered 64 → the alert received from a real Alertmanager (gateway, plugin host with the alerting plugin on Kafka, Alertmanager's webhook to the bench)",
    target: 'reported; p99 ≤ 2 s',
    measured:
      `p50/p95/p99 ${p.p50}/${p.p95}/${p.p99} ms, ${alertWithin(p.p99)}` +
      ` (${REFUNDS} refunds a round at ${PER_SECOND}/s${errors ? `; ${errors} errors` : ''})`,
    verdict: 'reported',
    figures: { refundsPerRound: REFUNDS, perSecond: PER_SECOND, ms: p, errors, notifications, rounds },
  };
}
