// The top self-time entries of a V8 CPU profile (`node --cpu-prof`), by function and by package.
//
//   node services/gateway/bench/cpuprofile-top.ts <file.cpuprofile> [--top 20] [--inclusive <regex>]...
//
// --inclusive: the share of samples with a frame whose `function url` matches anywhere on the
// stack (what that code and everything it called cost), each sample counted once.
// Self time is what a function spent in its own code, not in what it called; `(program)`,
// `(garbage collector)` and `(idle)` are V8's. Idle time is left out of the percentages, so they
// are shares of the CPU the process used.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '20' },
    inclusive: { type: 'string', multiple: true, default: [] },
  },
});
const file = positionals[0];
if (!file) {
  console.error('usage: cpuprofile-top.ts <file.cpuprofile> [--top N]');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Each sample's time is the delta to the next sample, as DevTools counts it.
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  const delta = profile.timeDeltas[i + 1] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
}

/** Where a frame's code lives: a package under node_modules, a workspace package, node:, or V8. */
function packageOf(url: string): string {
  if (url === '') return '(v8/native)';
  if (url.startsWith('node:')) return 'node:*';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm) return pnpm[1]!;
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (plain) return plain[1]!;
  const workspace = /\/(packages|services|plugins)\/([^/]+)\//.exec(url);
  if (workspace) return `@paystream/${workspace[2]}`;
  return url;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
    .replace(/^.*\/(packages|services|plugins)\//, '$1/');
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === '(idle)') {
    idle += us;
    continue;
  }
  total += us;
  const name = `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const pkg = functionName.startsWith('(') ? functionName : packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = values.inclusive.map((pattern) => ({ pattern, re: new RegExp(pattern), us: 0 }));
for (const [id, us] of selfUs) {
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  for (const entry of inclusive) {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      if (entry.re.test(`${functionName} ${url}`)) {
        entry.us += us;
        break;
      }
    }
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.info(`${file}: ${(total / 1e6).toFixed(2)} s on CPU, ${(idle / 1e6).toFixed(2)} s idle`);
console.info(`\ntop ${top} by self time`);
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.info(`${pct(us)}  ${name}`);
}
console.info('\nby package (self time)');
for (const [name, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.info(`${pct(us)}  ${name}`);
}
if (inclusive.length > 0) console.info('\ninclusive (a matching frame anywhere on the stack)');
for (const { pattern, us } of inclusive) console.info(`${pct(us)}  ${pattern}`);
