// The top of a V8 CPU profile (`node --cpu-prof`, or one profile-create wrote):
//
//   node bench/dist/cpuprofile-top.js <file.cpuprofile> [--top 20] [--inclusive <regex>]...
//
// Self time by function and by owner (a dependency, a workspace package, Node.js), idle left out,
// so the percentages are shares of the CPU the process used; `--inclusive` adds the share of time
// with a matching `<function> <url>` frame anywhere on the stack.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CpuProfile, inclusiveShares, type ProfileShare, summarizeProfile } from './profile.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '20' },
    inclusive: { type: 'string', multiple: true, default: [] },
  },
});
const file = positionals[0];
if (!file) {
  console.error('usage: cpuprofile-top.js <file.cpuprofile> [--top N] [--inclusive <regex>]...');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const summary = summarizeProfile(profile, Number(values.top));
const print = (title: string, shares: readonly ProfileShare[]) => {
  console.info(`\n${title}`);
  for (const { name, percent } of shares) console.info(`${percent.toFixed(1).padStart(5)} %  ${name}`);
};
console.info(`${file}: ${(summary.busyMs / 1000).toFixed(2)} s on CPU`);
print(`top ${values.top} by self time`, summary.topFunctions);
print('by owner (self time)', summary.byOwner);
if (values.inclusive.length > 0)
  print('inclusive (a matching frame anywhere on the stack)', inclusiveShares(profile, values.inclusive));
