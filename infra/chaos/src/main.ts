// make chaos: a longer chaos run (10 minutes of workload by default), fault cycles while it runs,
// then the checker's counts. Exits 1 when the checker finds any anomaly.
import { join } from 'node:path';
import { REPO_ROOT } from '@paystream/fleet';
import { runChaos } from './run.js';

interface Spec {
  flag: string;
  env: string;
  fallback: number;
  help: string;
}

const SPECS: Spec[] = [
  {
    flag: '--minutes',
    env: 'CHAOS_MINUTES',
    fallback: 10,
    help: 'minutes of workload (fault cycles start while it runs)',
  },
  {
    flag: '--kafka-port',
    env: 'CHAOS_KAFKA_PORT',
    fallback: 29292,
    help: 'first broker port (+0…+2, controllers +10…)',
  },
  { flag: '--callers', env: 'CHAOS_CALLERS', fallback: 4, help: 'callers working at once' },
  { flag: '--gateways', env: 'CHAOS_GATEWAYS', fallback: 2, help: 'gateway processes' },
  {
    flag: '--hosts',
    env: 'CHAOS_HOSTS',
    fallback: 2,
    help: 'plugin host processes (plus one standby for the storm)',
  },
];

function parse(argv: readonly string[], env: NodeJS.ProcessEnv): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of SPECS) out[s.flag] = Number(env[s.env] ?? s.fallback);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? argv[i]!.split(/=(.*)/s, 2) : [argv[i]!, undefined];
    if (!SPECS.some((s) => s.flag === flag)) throw new Error(`unknown option ${argv[i]}`);
    out[flag!] = Number(inline ?? argv[++i]);
  }
  for (const s of SPECS) {
    if (!(out[s.flag]! > 0)) throw new Error(`${s.flag} (${s.env}) must be a positive number`);
  }
  return out;
}

let o: Record<string, number>;
try {
  o = parse(process.argv.slice(2), process.env);
} catch (err) {
  console.error(
    [
      (err as Error).message,
      'usage: make chaos [CHAOS_MINUTES=10 …]   or   node infra/chaos/dist/main.js [--minutes 10 …]',
      ...SPECS.map((s) => `  ${s.flag.padEnd(14)} ${s.env.padEnd(18)} ${s.help} (default ${s.fallback})`),
    ].join('\n'),
  );
  process.exit(2);
}

const runDir = join(REPO_ROOT, 'infra', 'chaos', '.run', 'chaos');
const run = await runChaos({
  name: 'chaos',
  kafkaPort: o['--kafka-port']!,
  durationMs: o['--minutes']! * 60_000,
  callers: o['--callers']!,
  gateways: o['--gateways']!,
  hosts: o['--hosts']!,
  // Long enough for the standby host to join and leave the groups a few times per cycle.
  stormMs: 30_000,
  runDir,
});
console.info(
  ['', ...run.lines, `timings    ${JSON.stringify(run.timings)}`, `report     ${run.reportFile}`].join('\n'),
);
process.exit(run.result.ok ? 0 : 1);
