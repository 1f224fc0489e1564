// How a service starts: the `start` script of its package.json, `[NAME=value …] node [flags …]
// <entry>.js`. The images, the Kubernetes manifests and the bench start a service exactly so, from
// this one reading of it (the memory settings and the telemetry preload live in the script once).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A package's `start` script taken apart. */
export interface StartScript {
  /** The variables the script sets before `node` (MALLOC_ARENA_MAX). */
  env: Record<string, string>;
  /** What follows `node`: its flags, then the entry file (always last, a .js file). */
  args: string[];
}

/**
 * Reads the `start` script of the package at `packageDir` (under `root` when given). Throws when the
 * script does not run node on a .js file.
 */
export function readStartScript(packageDir: string, root?: string): StartScript {
  const pkg = JSON.parse(readFileSync(join(root ?? '', packageDir, 'package.json'), 'utf8')) as {
    scripts?: { start?: string };
  };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length && /^[A-Z_]+=/.test(words[i]!); i++) {
    const [name, ...value] = words[i]!.split('=');
    env[name!] = value.join('=');
  }
  if (words[i] !== 'node' || !words.at(-1)?.endsWith('.js'))
    throw new Error(`${packageDir}: the start script does not run node on a .js file`);
  return { env, args: words.slice(i + 1) };
}
