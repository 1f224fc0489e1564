// For the entry points' tests: a Node.js outside the supported range, to show that each refuses
// to start on it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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
