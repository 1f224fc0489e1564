// `make fleet`'s options: each a flag (--gateways 3) or an environment variable (FLEET_GATEWAYS=3,
// which `make fleet FLEET_GATEWAYS=3` passes through); a flag wins.

export interface LauncherOptions {
  gateways: number;
  hosts: number;
  /** The proxy's port: the fleet's one public address. */
  port: number;
  /** Node n of the cluster listens on kafkaPort + n − 1 (controllers on kafkaPort + 10 + n − 1). */
  kafkaPort: number;
  /** Heap of each broker JVM. */
  kafkaHeap: string;
  partitions: number;
  upstreamTimeoutMs: number;
  sweepIntervalMs: number;
  sandboxLatencyMs: number;
  logLevel: string;
  /** Empty: this checkout's builds; else the tag of `make images`' images to run ("1": latest). */
  images: string;
}

interface Spec {
  flag: string;
  env: string;
  key: keyof LauncherOptions;
  fallback: number | string;
  help: string;
}

export const LAUNCHER_OPTIONS: readonly Spec[] = [
  { flag: '--gateways', env: 'FLEET_GATEWAYS', key: 'gateways', fallback: 2, help: 'gateway processes' },
  { flag: '--hosts', env: 'FLEET_HOSTS', key: 'hosts', fallback: 2, help: 'plugin host processes' },
  { flag: '--port', env: 'FLEET_PORT', key: 'port', fallback: 0, help: 'the proxy port (0: any free)' },
  {
    flag: '--kafka-port',
    env: 'FLEET_KAFKA_PORT',
    key: 'kafkaPort',
    fallback: 29092,
    help: 'first broker port (three: +0, +1, +2; controllers +10…)',
  },
  {
    flag: '--kafka-heap',
    env: 'FLEET_KAFKA_HEAP',
    key: 'kafkaHeap',
    fallback: '384m',
    help: 'heap per broker',
  },
  {
    flag: '--partitions',
    env: 'FLEET_PARTITIONS',
    key: 'partitions',
    fallback: 6,
    help: 'partitions of the topics created',
  },
  {
    flag: '--upstream-timeout-ms',
    env: 'FLEET_UPSTREAM_TIMEOUT_MS',
    key: 'upstreamTimeoutMs',
    fallback: 5000,
    help: "gateways' UPSTREAM_TIMEOUT_MS",
  },
  {
    flag: '--sweep-interval-ms',
    env: 'FLEET_SWEEP_INTERVAL_MS',
    key: 'sweepIntervalMs',
    fallback: 5000,
    help: "gateways' SWEEP_INTERVAL_MS",
  },
  {
    flag: '--sandbox-latency-ms',
    env: 'FLEET_SANDBOX_LATENCY_MS',
    key: 'sandboxLatencyMs',
    fallback: 20,
    help: "the sandbox's answer latency",
  },
  { flag: '--log-level', env: 'FLEET_LOG_LEVEL', key: 'logLevel', fallback: 'info', help: 'every process' },
  {
    flag: '--images',
    env: 'FLEET_IMAGES',
    key: 'images',
    fallback: '',
    help: 'run the images of make images as containers: 1 (tag latest) or a tag; empty: processes',
  },
];

/** Parses flags over environment over defaults; throws naming a bad or unknown option. */
export function parseLauncherOptions(argv: readonly string[], env: NodeJS.ProcessEnv): LauncherOptions {
  const out: Record<string, number | string> = {};
  for (const spec of LAUNCHER_OPTIONS) out[spec.key] = env[spec.env] ?? spec.fallback;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const spec = LAUNCHER_OPTIONS.find((s) => s.flag === flag);
    if (!spec)
      throw new Error(`unknown option ${arg} (options: ${LAUNCHER_OPTIONS.map((s) => s.flag).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    out[spec.key] = value;
  }
  for (const spec of LAUNCHER_OPTIONS) {
    if (typeof spec.fallback !== 'number') continue;
    const n = Number(out[spec.key]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${spec.flag} (${spec.env}) must be a whole number`);
    out[spec.key] = n;
  }
  const options = out as unknown as LauncherOptions;
  if (options.gateways < 1) throw new Error('--gateways must be at least 1');
  return options;
}
