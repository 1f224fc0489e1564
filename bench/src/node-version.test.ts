// On any Node.js but 24, each entry point prints one line naming the Node.js it needs and exits 1,
// before a dependency can die with a stack trace (each is a tiny file that checks, then imports
// the program). That they start on Node.js 24 is what the other process tests show.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findUnsupportedNode } from '@paystream/config/node-version-testing';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..');
const other = findUnsupportedNode();
const runs: { entry: string; flags: string[] }[] = [
  { entry: 'main.js', flags: [] },
  { entry: 'pass-through.js', flags: [] },
  { entry: 'telemetry-ab.js', flags: [] },
  { entry: 'soak-retention.js', flags: [] },
];

describe.skipIf(!other)(
  other
    ? `on Node.js ${other.version} (${other.path})`
    : 'skipped: no Node.js other than 24 on PATH, /usr/bin or /usr/local/bin',
  () => {
    it.each(runs)(
      'node $flags dist/$entry prints one line naming Node.js 24 and exits 1',
      ({ entry, flags }) => {
        const run = spawnSync(other!.path, [...flags, join('dist', entry)], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '' },
          encoding: 'utf8',
        });
        expect(run.stderr).toBe(
          `paystream needs Node.js >=24.0.0 <25 (package.json "engines"), but this is Node.js ${other!.version} (${other!.path})\n`,
        );
        expect(run.stdout).toBe('');
        expect(run.status).toBe(1);
      },
    );
  },
);
