// make fleet: a local fleet without Docker, until Ctrl-C. A three-node Kafka cluster, fresh
// PostgreSQL databases, the sandbox, N gateways behind the round-robin proxy, and plugin hosts
// running the shipped plugins; it prints every address, then stops everything in order on SIGINT
// or SIGTERM: gateways and hosts (their outboxes flush to the brokers), the sandbox, the proxy, the
// databases (dropped), the brokers.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './builds.js';
import { type Fleet, fleetImages, startFleet } from './fleet.js';
import { type KafkaCluster, startKafkaCluster } from './kafka-cluster.js';
import { LAUNCHER_OPTIONS, parseLauncherOptions } from './options.js';

function usage(): string {
  return [
    'usage: make fleet [FLEET_…=…]   or   node infra/fleet/dist/main.js [--option value …]',
    ...LAUNCHER_OPTIONS.map(
      (o) => `  ${o.flag.padEnd(22)} ${o.env.padEnd(26)} ${o.help} (default ${o.fallback})`,
    ),
  ].join('\n');
}

if (process.argv.includes('--help')) {
  console.info(usage());
  process.exit(0);
}
let options: ReturnType<typeof parseLauncherOptions>;
try {
  options = parseLauncherOptions(process.argv.slice(2), process.env);
} catch (err) {
  console.error(`${(err as Error).message}\n${usage()}`);
  process.exit(2);
}

const say = (line: string) => console.info(`fleet: ${line}`);
const runDir = join(REPO_ROOT, 'infra', 'fleet', '.run', 'fleet');
let cluster: KafkaCluster | undefined;
let fleet: Fleet | undefined;
let stopping: Promise<void> | undefined;
// A signal during start-up is acted on once the step under way ends (a half-started broker or
// process would otherwise be left behind).
let running = false;
let interrupted: string | undefined;

const stop = (why: string) => {
  stopping ??= (async () => {
    say(`${why}: stopping gateways and plugin hosts, the sandbox, the proxy, the databases, the brokers…`);
    await fleet?.close().catch((err: unknown) => console.error(`fleet: ${(err as Error).message}`));
    await cluster?.stop().catch((err: unknown) => console.error(`fleet: ${(err as Error).message}`));
    say(`stopped (logs in ${runDir}, broker data in ${cluster?.dir ?? '-'})`);
  })();
  return stopping;
};

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!running) {
      interrupted = signal;
      say(`${signal}: stopping once the step under way ends`);
      return;
    }
    if (stopping) {
      say('still stopping; a second signal does not cut it short (SIGKILL would leave processes behind)');
      return;
    }
    void stop(signal).then(() => process.exit(0));
  });
}

try {
  rmSync(runDir, { recursive: true, force: true });
  say(`starting a 3-node Kafka cluster on 127.0.0.1:${options.kafkaPort}-${options.kafkaPort + 2}…`);
  cluster = await startKafkaCluster({ name: 'fleet', basePort: options.kafkaPort, heap: options.kafkaHeap });
  if (interrupted) throw new Error(interrupted);
  const images =
    options.images === '' ? undefined : fleetImages(options.images === '1' ? 'latest' : options.images);
  say(
    `starting the sandbox, ${options.gateways} gateways and ${options.hosts} plugin hosts` +
      (images ? ` as containers (${images.gateway}, ${images.pluginHost}, ${images.sandbox})…` : '…'),
  );
  fleet = await startFleet({
    database: 'postgres',
    gateways: options.gateways,
    pluginHosts: options.hosts,
    kafkaBrokers: cluster.brokers,
    kafkaTopic: { partitions: options.partitions, replicationFactor: 3 },
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    sweepIntervalMs: options.sweepIntervalMs,
    sandboxLatencyMs: options.sandboxLatencyMs,
    proxyPort: options.port,
    logLevel: options.logLevel,
    runDir,
    ...(images ? { images } : {}),
  });
  if (interrupted) throw new Error(interrupted);
  running = true;
  const lines = [
    '',
    `  gateway API (round robin) ${fleet.proxy.url}   Authorization: Bearer ${fleet.apiKey}`,
    `  notify URL (aggregator)   ${fleet.proxy.url}/v1/notifications/upstream`,
    ...(images ? ['  containers                podman ps --filter name=paystream-fleet-'] : []),
    ...fleet.gateways.map((g) => `  ${g.name.padEnd(25)} ${g.url}   pid ${g.process.child.pid}`),
    ...fleet.hosts.map(
      (h) => `  ${h.name.padEnd(25)} ${h.url}   pid ${h.process.child.pid}   /plugins/accounting/journal`,
    ),
    `  sandbox (aggregator)      ${fleet.sandbox.url}   /__sandbox/faults, /__sandbox/orders/{no}/pay`,
    `  kafka                     ${cluster.brokers.join(',')}   (replication 3, min.insync.replicas 2)`,
    ...cluster.nodes.map(
      (n) =>
        `    node ${n.id}                  ${n.address}   controller :${n.controllerPort}   pid ${n.pid()}`,
    ),
    `  gateway database          ${fleet.databaseUrl}`,
    `  plugin database           ${fleet.pluginDatabaseUrl}`,
    `  logs                      ${runDir}`,
    '',
  ];
  console.info(lines.join('\n'));
  say('running; Ctrl-C stops everything');
  for (const member of [...fleet.gateways, ...fleet.hosts]) {
    void member.process.exited.then(({ code, signal }) => {
      if (!stopping)
        say(`${member.name} exited (${code ?? signal}); its log: ${join(runDir, `${member.name}.log`)}`);
    });
  }
} catch (err) {
  if (interrupted) {
    await stop(interrupted);
    process.exit(0);
  }
  console.error(`fleet: could not start: ${(err as Error).message}`);
  await stop('start-up failed');
  process.exit(1);
}
