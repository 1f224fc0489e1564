// For the entry points' tests: a Node.js outside the supported range, to show that each refuses
// to start on it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSupportedNode } from './node-version.js';

/** A Node.js executable and the version it reports (`v20.20.2`). */
export interface NodeBinary {
  path: string;
  version: string;
}

/**
 * The first `node` on PATH, then in /usr/bin and /usr/local/bin, whose version is not supported,
 * or undefined when every one found is (then the tests that need it say they were skipped).
 */
export function findUnsupportedNode(path: string = process.env.PATH ?? ''): NodeBinary | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  for (const file of new Set(dirs.map((d) => join(d, 'node')))) {
    if (!existsSync(file)) continue;
    const run = spawnSync(file, ['--version'], { encoding: 'utf8' });
    const version = run.stdout?.trim();
    if (run.status === 0 && version && !isSupportedNode(version)) return { path: file, version };
  }
  return undefined;
}

/** One way to start an entry point: the built file under `dist/` and node's flags before it. */
export interface EntryRun {
  entry: string;
  flags: string[];
}

/**
 * Tests that each entry point of the package at `packageDir`, started on a Node.js outside the
 * supported range, prints one line naming the Node.js it needs and exits 1 (skipped, saying so,
 * when the machine has no such Node.js).
 */
export function describeRefusalsOnUnsupportedNode(packageDir: string, runs: readonly EntryRun[]): void {
  const other = findUnsupportedNode();
  describe.skipIf(!other)(
    other
      ? `on Node.js ${other.version} (${other.path})`
      : 'skipped: no Node.js other than 24 on PATH, /usr/bin or /usr/local/bin',
    () => {
      it.each(runs)(
        'node $flags dist/$entry prints one line naming Node.js 24 and exits 1',
        ({ entry, flags }) => {
          const run = spawnSync(other!.path, [...flags, join('dist', entry)], {
            cwd: packageDir,
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
}
