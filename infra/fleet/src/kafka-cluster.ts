// A local three-node Apache Kafka cluster without Docker: the jars infra/kafka/kafka.sh fetches
// from Maven Central, infra/kafka/cluster.properties per node (broker and controller each, one
// quorum of three voters), loopback ports, data under infra/kafka/.kafka-cluster-<name>/
// (git-ignored). A node can be SIGKILLed and started again on its data, which is how a chaos run
// takes a partition leader away.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_DIR } from './builds.js';
import { portOpen } from './ports.js';

const run = promisify(execFile);

export interface KafkaClusterOptions {
  /** Names the data folder: infra/kafka/.kafka-cluster-<name>. */
  name: string;
  /** Node n (1-based) listens for clients on basePort + n − 1 and as a controller on basePort + 10 + n − 1. */
  basePort: number;
  /** Nodes. Default 3. */
  nodes?: number;
  /** Heap of each JVM. Default 384m: three of them and a fleet fit a 2-core, 24 GB machine. */
  heap?: string;
  /** Seconds a node may take to start. Default 120. */
  startTimeoutSeconds?: number;
  /** Delete the data of an earlier run first. Default true. */
  fresh?: boolean;
}

export interface KafkaNode {
  readonly id: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly address: string;
  /** The JVM's pid while it runs. */
  pid(): number | undefined;
  running(): boolean;
  /** Starts the node on its data; resolves once it logged that it started. */
  start(): Promise<void>;
  /** SIGTERM: a controlled shutdown (leadership moves first, SIGKILL after 20 s); resolves once gone. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the JVM is gone. */
  kill(): Promise<void>;
}

export interface KafkaCluster {
  readonly name: string;
  readonly dir: string;
  readonly nodes: readonly KafkaNode[];
  /** host:port of every node, for KAFKA_BROKERS. */
  readonly brokers: string[];
  /** The node leading a partition now (kafkajs admin fetchTopicMetadata), or undefined. */
  leaderOf(topic: string, partition: number): Promise<KafkaNode | undefined>;
  /** Each partition's leader, replicas and in-sync replicas. */
  partitions(
    topic: string,
  ): Promise<{ partition: number; leader: number; replicas: number[]; isr: number[] }[]>;
  /** A topic's replication factor and min.insync.replicas, as the cluster holds them. */
  topicSettings(topic: string): Promise<{ replicationFactor: number; minInsyncReplicas: number }>;
  /** Waits until every partition of the topics has all its replicas in sync (after a restart). */
  waitInSync(topics: readonly string[], timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM, then SIGKILL after 20 s). Data is kept. */
  stop(): Promise<void>;
  /** Stops and deletes the data folder. */
  destroy(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The jars kafka.sh fetches once (Maven, offline first); the cluster only reads them. */
async function kafkaLibs(): Promise<string> {
  await run(join(KAFKA_DIR, 'kafka.sh'), ['fetch'], {
    env: { ...process.env, KAFKA_HOME_DIR: join(KAFKA_DIR, '.kafka') },
  });
  return join(KAFKA_DIR, '.kafka', 'libs');
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's Uuid text form). */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

// Three JVMs share two cores with a fleet: the client compiler only (a broker at this load gains
// little from C2, and its compile threads compete with everything at start-up) and one GC thread.
function jvmArgs(heap: string, logs: string): string[] {
  return [
    '-Xms128m',
    `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:TieredStopAtLevel=1',
    '-XX:ParallelGCThreads=1',
    '-XX:ConcGCThreads=1',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${logs}`,
    `-Dlog4j2.configurationFile=${join(KAFKA_DIR, 'log4j2.properties')}`,
  ];
}

/** Kills a JVM an earlier run left (its pid file names it, and it runs this node's properties). */
function killLeftover(pidFile: string, properties: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('kafka.Kafka') && cmdline.includes(properties)) process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Starts (formatting on first use) every node at once: a controller needs a quorum to start. */
export async function startKafkaCluster(opts: KafkaClusterOptions): Promise<KafkaCluster> {
  const count = opts.nodes ?? 3;
  const heap = opts.heap ?? '384m';
  const timeoutMs = (opts.startTimeoutSeconds ?? 120) * 1000;
  const dir = join(KAFKA_DIR, `.kafka-cluster-${opts.name}`);
  const libs = await kafkaLibs();
  const template = readFileSync(join(KAFKA_DIR, 'cluster.properties'), 'utf8');
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const portOf = (id: number) => opts.basePort + id - 1;
  const controllerPortOf = (id: number) => opts.basePort + 10 + id - 1;
  const voters = ids.map((id) => `${id}@127.0.0.1:${controllerPortOf(id)}`).join(',');

  for (const id of ids) {
    killLeftover(join(dir, `node-${id}`, 'kafka.pid'), join(dir, `node-${id}`, 'server.properties'));
  }
  if (opts.fresh ?? true) rmSync(dir, { recursive: true, force: true });
  const busy = [];
  for (const id of ids) {
    for (const port of [portOf(id), controllerPortOf(id)]) if (await portOpen(port)) busy.push(port);
  }
  if (busy.length > 0) {
    throw new Error(
      `ports ${busy.join(', ')} are taken: another cluster runs there (pick another base port)`,
    );
  }

  const id = clusterId();
  const nodes = ids.map((nodeId) => {
    const home = join(dir, `node-${nodeId}`);
    const data = join(home, 'data');
    const logs = join(home, 'logs');
    const properties = join(home, 'server.properties');
    const pidFile = join(home, 'kafka.pid');
    mkdirSync(logs, { recursive: true });
    writeFileSync(
      properties,
      template
        .replaceAll('@NODE_ID@', String(nodeId))
        .replaceAll('@VOTERS@', voters)
        .replaceAll('@PORT@', String(portOf(nodeId)))
        .replaceAll('@CONTROLLER_PORT@', String(controllerPortOf(nodeId)))
        .replaceAll('@DATA_DIR@', data)
        // A smaller cluster cannot hold the template's three replicas (nor two in sync): its
        // internal topics, the group coordinator's among them, would never be created.
        .replace(
          /^([\w.]*(?:replication\.factor|min\.insync\.replicas|min\.isr))=(\d+)$/gm,
          (_, key: string, n: string) => `${key}=${Math.min(Number(n), count)}`,
        ),
    );
    let child: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();
    const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

    const format = async () => {
      if (existsSync(join(data, 'meta.properties'))) return;
      mkdirSync(data, { recursive: true });
      await run(
        'java',
        [
          ...jvmArgs('256m', logs),
          '-cp',
          `${libs}/*`,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          id,
          '-c',
          properties,
          '--ignore-formatted',
        ],
        { maxBuffer: 4 * 1024 * 1024 },
      );
    };

    const node: KafkaNode = {
      id: nodeId,
      port: portOf(nodeId),
      controllerPort: controllerPortOf(nodeId),
      address: `127.0.0.1:${portOf(nodeId)}`,
      pid: () => (running() ? child?.pid : undefined),
      running,
      async start() {
        if (running()) return;
        await format();
        const serverLog = join(logs, 'server.log');
        // Only what this start writes counts: the log keeps earlier starts' lines.
        const from = existsSync(serverLog) ? statSync(serverLog).size : 0;
        const out = openSync(join(logs, 'stdout.log'), 'a');
        // A process group of its own: a Ctrl-C meant for the launcher must not reach the brokers
        // before the gateways have flushed to them.
        child = spawn('java', [...jvmArgs(heap, logs), '-cp', `${libs}/*`, 'kafka.Kafka', properties], {
          stdio: ['ignore', out, out],
          detached: true,
        });
        closeSync(out);
        const started = child;
        exited = new Promise((resolve) => started.once('exit', () => resolve()));
        writeFileSync(pidFile, String(started.pid));
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          if (!running()) throw new Error(`kafka node ${nodeId} exited during start-up (logs in ${logs})`);
          if (existsSync(serverLog)) {
            const text = readFileSync(serverLog).subarray(from).toString('utf8');
            if (text.includes('Kafka Server started') && (await portOpen(portOf(nodeId)))) return;
          }
          if (Date.now() > deadline) {
            throw new Error(
              `kafka node ${nodeId} was not ready after ${timeoutMs / 1000}s (logs in ${logs})`,
            );
          }
          await sleep(300);
        }
      },
      async stop() {
        if (!running()) return;
        child!.kill('SIGTERM');
        // The last nodes of a cluster stopping at once may wait for a quorum that is gone: past
        // 20 s the shutdown is stuck, and the data is written (every produce was acknowledged).
        const kill = setTimeout(() => {
          if (running()) child!.kill('SIGKILL');
        }, 20_000);
        await exited;
        clearTimeout(kill);
        rmSync(pidFile, { force: true });
      },
      async kill() {
        if (!running()) return;
        child!.kill('SIGKILL');
        await exited;
        rmSync(pidFile, { force: true });
      },
    };
    return node;
  });

  const brokers = nodes.map((n) => n.address);
  const withAdmin = async <T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const live = nodes.filter((n) => n.running()).map((n) => n.address);
    const kafka = new Kafka({
      clientId: `fleet-cluster-${opts.name}`,
      brokers: live.length > 0 ? live : brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  };

  const cluster: KafkaCluster = {
    name: opts.name,
    dir,
    nodes,
    brokers,
    async partitions(topic) {
      const meta = await withAdmin((admin) => admin.fetchTopicMetadata({ topics: [topic] }));
      return (meta.topics[0]?.partitions ?? []).map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      }));
    },
    async leaderOf(topic, partition) {
      const leader = (await cluster.partitions(topic)).find((p) => p.partition === partition)?.leader;
      return nodes.find((n) => n.id === leader);
    },
    async topicSettings(topic) {
      const [partitions, configs] = await Promise.all([
        cluster.partitions(topic),
        withAdmin((admin) =>
          admin.describeConfigs({
            resources: [{ type: 2, name: topic, configNames: ['min.insync.replicas'] }],
            includeSynonyms: false,
          }),
        ),
      ]);
      const entry = configs.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas');
      return {
        replicationFactor: partitions[0]?.replicas.length ?? 0,
        minInsyncReplicas: Number(entry?.configValue ?? 0),
      };
    },
    async waitInSync(topics, waitMs = 120_000) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const lagging: string[] = [];
        for (const topic of topics) {
          try {
            for (const p of await cluster.partitions(topic)) {
              if (p.isr.length < p.replicas.length) lagging.push(`${topic}/${p.partition}`);
            }
          } catch (err) {
            lagging.push(`${topic}: ${(err as Error).message}`);
          }
        }
        if (lagging.length === 0) return;
        if (Date.now() > deadline) throw new Error(`replicas still out of sync: ${lagging.join(', ')}`);
        await sleep(500);
      }
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
    async destroy() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw err;
  }
  return cluster;
}
