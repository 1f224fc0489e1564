// One chaos run: a three-node Kafka cluster and a fleet of its own, the workload for as long as it
// is asked to run with the faults one after another in cycles, then the run settles, everything
// is collected into the history and the checker judges it. The history and the report (counts,
// anomalies, each fault with its evidence, timings) are written to the run's folder.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Fleet,
  type FleetMember,
  type KafkaCluster,
  startFleet,
  startKafkaCluster,
} from '@paystream/fleet';
import { type CheckResult, checkHistory } from './checker/check.js';
import { formatCheck } from './checker/report.js';
import { collectFinalState } from './collect/final-state.js';
import { settle } from './collect/settle.js';
import { readTopic } from './collect/topics.js';
import { clusterOutage, EVENTS_TOPIC, killPartitionLeader, LEDGER_TOPIC } from './faults/broker.js';
import { type FaultContext, sleep } from './faults/context.js';
import { terminateConnections } from './faults/database.js';
import { killAndRestart, rollingRestart } from './faults/processes.js';
import { sandboxFault } from './faults/sandbox.js';
import { rebalanceStorm } from './faults/storm.js';
import type { FaultKind, FaultRecord, History } from './history.js';
import { startWorkload } from './workload/callers.js';
import { Recorder } from './workload/recorder.js';

/** Every fault kind a run injects (each cycle injects each once). */
export const FAULT_KINDS: readonly FaultKind[] = [
  'gateway-kill',
  'sandbox-timeouts',
  'leader-kill',
  'host-kill',
  'pg-terminate',
  'sandbox-99',
  'rebalance-storm',
  'cluster-outage',
  'rolling-restart',
];

export interface ChaosRunOptions {
  /** Names the cluster's data folder, the databases and the order numbers. */
  name: string;
  /** The cluster's first broker port (three: +0, +1, +2; controllers +10…). */
  kafkaPort: number;
  /** The workload runs at least this long; fault cycles start while it has not elapsed. */
  durationMs: number;
  /** At most this many fault cycles. Default: as many as fit in the duration. */
  cycles?: number;
  /** Pause between two faults. Default 3 s. */
  gapMs?: number;
  /** How long the rebalance storm lasts. Default 12 s. */
  stormMs?: number;
  /** How long the sandbox times out or answers -99. Default 5 s. */
  sandboxFaultMs?: number;
  /** How long a killed broker stays down at least. Default 8 s. */
  leaderDownMs?: number;
  gateways?: number;
  hosts?: number;
  callers?: number;
  /** Pause between one caller's operations, [min, max] ms. Default 40–200. */
  pauseMs?: readonly [number, number];
  /** Where the history, the report and every process's log go. */
  runDir: string;
  log?: (line: string) => void;
}

export interface ChaosRunResult {
  result: CheckResult;
  history: History;
  /** The report's lines (what `make chaos` prints). */
  lines: string[];
  reportFile: string;
  timings: Record<string, number>;
}

/**
 * One cycle: each fault kind once. Restarts of what a fault killed go on beside the next faults;
 * the rolling restart waits for them and runs alone, so an error a caller sees during it is the
 * deployment's.
 */
function faultCycle(
  ctx: FaultContext,
  cycle: number,
  members: { hosts: readonly FleetMember[]; standby: readonly FleetMember[] },
  o: Required<Pick<ChaosRunOptions, 'stormMs' | 'sandboxFaultMs' | 'leaderDownMs'>>,
  settled: () => Promise<unknown>,
): (() => Promise<FaultRecord>)[] {
  const { gateways } = ctx.fleet;
  const { hosts, standby } = members;
  return [
    () => killAndRestart(ctx, gateways[cycle % gateways.length]!),
    () => sandboxFault(ctx, 'sandbox-timeouts', o.sandboxFaultMs),
    () => killPartitionLeader(ctx, cycle % 6, o.leaderDownMs),
    () => killAndRestart(ctx, hosts[cycle % hosts.length]!),
    () => terminateConnections(ctx, gateways[(cycle + 1) % gateways.length]!),
    () => sandboxFault(ctx, 'sandbox-99', o.sandboxFaultMs),
    () => rebalanceStorm(ctx, standby, o.stormMs),
    // Alone, like the rolling restart: a killed leader's restart must not overlap it.
    () => settled().then(() => clusterOutage(ctx, hosts, o.leaderDownMs)),
    () => settled().then(() => rollingRestart(ctx, [...gateways, ...hosts])),
  ];
}

export async function runChaos(opts: ChaosRunOptions): Promise<ChaosRunResult> {
  const log = opts.log ?? ((line: string) => console.info(`chaos: ${line}`));
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - t;
    }
  };
  // The run's folder is its own: logs of an earlier run would be taken for this one's.
  rmSync(opts.runDir, { recursive: true, force: true });
  mkdirSync(opts.runDir, { recursive: true });
  const startedAt = Date.now();
  let cluster: KafkaCluster | undefined;
  let fleet: Fleet | undefined;
  try {
    cluster = await time('cluster start', () =>
      startKafkaCluster({ name: opts.name, basePort: opts.kafkaPort }),
    );
    log(`kafka cluster ${cluster.brokers.join(',')} is up`);
    const brokers = cluster.brokers;
    fleet = await time('fleet start', () =>
      startFleet({
        database: 'postgres',
        gateways: opts.gateways ?? 2,
        pluginHosts: opts.hosts ?? 2,
        standbyHosts: 1,
        kafkaBrokers: brokers,
        kafkaTopic: { partitions: 6, replicationFactor: 3 },
        upstreamTimeoutMs: 1_500,
        sweepIntervalMs: 1_000,
        sandboxLatencyMs: 10,
        runDir: opts.runDir,
        databasePrefix: `paystream_${opts.name.replaceAll('-', '_')}`,
        // A process that dies while starting (a broker just killed) is started again, as an
        // orchestrator would; the report lists each such start.
        startAttempts: 6,
      }),
    );
    const settings = await cluster.topicSettings(EVENTS_TOPIC);
    log(
      `fleet is up: ${fleet.gateways.length} gateways behind ${fleet.proxy.url}, ${fleet.hosts.length - 1} plugin hosts (+1 standby); ${EVENTS_TOPIC} replication ${settings.replicationFactor}, min.insync.replicas ${settings.minInsyncReplicas}`,
    );
    const deferred: Promise<unknown>[] = [];
    const ctx: FaultContext = {
      fleet,
      cluster,
      log,
      defer: (work) =>
        deferred.push(
          work.catch((err: unknown) => log(`a restart after a fault failed: ${(err as Error).message}`)),
        ),
    };
    const recorder = new Recorder();
    const workload = startWorkload({
      baseUrl: fleet.proxy.url,
      apiKey: fleet.apiKey,
      controls: fleet.controls,
      recorder,
      prefix: `${opts.name}-${startedAt.toString(36)}`,
      callers: opts.callers ?? 4,
      ...(opts.pauseMs ? { pauseMs: opts.pauseMs } : {}),
    });
    const faults: FaultRecord[] = [];
    const workloadStart = Date.now();
    await time('workload', async () => {
      const gap = opts.gapMs ?? 3_000;
      const o = {
        stormMs: opts.stormMs ?? 12_000,
        sandboxFaultMs: opts.sandboxFaultMs ?? 5_000,
        leaderDownMs: opts.leaderDownMs ?? 8_000,
      };
      await sleep(gap);
      for (let cycle = 0; cycle < (opts.cycles ?? Number.POSITIVE_INFINITY); cycle++) {
        if (Date.now() - workloadStart >= opts.durationMs) break;
        const hostCount = opts.hosts ?? 2;
        const members = { hosts: fleet!.hosts.slice(0, hostCount), standby: fleet!.hosts.slice(hostCount) };
        const restarted = () => Promise.all(deferred.splice(0));
        for (const fault of faultCycle(ctx, cycle, members, o, restarted)) {
          faults.push(await fault());
          await sleep(gap);
        }
        // A broker still restarting finishes before the next cycle kills another.
        await Promise.all(deferred.splice(0));
      }
      await sleep(Math.max(0, workloadStart + opts.durationMs - Date.now()));
    });
    // Whatever died on its own is started again, so that the run can settle; the checker reports it.
    const shouldRun = [...fleet.gateways, ...fleet.hosts.slice(0, opts.hosts ?? 2)];
    for (const member of shouldRun.filter((m) => !m.running())) {
      log(`${member.name} is not running: starting it before the run settles`);
      await fleet.start(member);
    }
    const notes = await time('settle', () => settle(fleet!, workload, log));
    const history: History = await time('collect', async () => {
      const [payments, ledger, final] = await Promise.all([
        readTopic(brokers, EVENTS_TOPIC),
        readTopic(brokers, LEDGER_TOPIC),
        collectFinalState(fleet!, workload.orders()),
      ]);
      return {
        run: {
          startedAt,
          endedAt: Date.now(),
          seconds: Math.round((Date.now() - workloadStart) / 1000),
          label: opts.name,
        },
        operations: recorder.operations,
        attempts: recorder.attempts,
        topics: { payments, ledger },
        faults,
        incidents: fleet!
          .exits()
          .filter((e) => !e.intended && e.phase === 'run')
          .map((e) => ({ member: e.member, at: e.at, code: e.code, signal: e.signal, stderr: e.stderr })),
        startFailures: fleet!
          .exits()
          .filter((e) => !e.intended && e.phase === 'start')
          .map((e) => ({ member: e.member, at: e.at, code: e.code, signal: e.signal, stderr: e.stderr })),
        final,
      };
    });
    const result = await time('check', async () => checkHistory(history, { expectFaults: FAULT_KINDS }));
    const proxy = fleet.proxy.counts();
    const lines = [
      ...formatCheck(result),
      `proxy      requests ${proxy.requests.join('/')}, notifies ${proxy.notifies.join('/')}, failovers ${proxy.failovers}, failed ${proxy.failed}`,
      ...notes.map((n) => `settled    ${n}`),
      ...history.startFailures.map(
        (f) =>
          `restart    ${f.member} died while starting at +${Math.round((f.at - workloadStart) / 1000)} s (${f.code ?? f.signal}): ${
            f.stderr
              .trim()
              .split('\n')
              .find((l) => /Error/.test(l)) ?? ''
          }`,
      ),
      ...faults.flatMap((f) => [
        `fault      ${f.kind}${f.target ? ` ${f.target}` : ''} at +${Math.round((f.startedAt - workloadStart) / 1000)} s for ${f.endedAt - f.startedAt} ms`,
        ...f.evidence.map((e) => `             ${e}`),
      ]),
    ];
    const reportFile = join(opts.runDir, 'report.json');
    writeFileSync(join(opts.runDir, 'history.json'), JSON.stringify(history));
    timings.total = Date.now() - startedAt;
    writeFileSync(
      reportFile,
      JSON.stringify(
        { ok: result.ok, counts: result.counts, anomalies: result.anomalies, faults, notes, proxy, timings },
        null,
        2,
      ),
    );
    return { result, history, lines, reportFile, timings };
  } finally {
    const t = Date.now();
    await fleet?.close().catch((err: unknown) => log(`stopping the fleet: ${(err as Error).message}`));
    await cluster?.stop().catch((err: unknown) => log(`stopping the cluster: ${(err as Error).message}`));
    timings.teardown = Date.now() - t;
    log(`stopped (logs in ${opts.runDir})`);
  }
}
