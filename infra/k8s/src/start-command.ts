// A container runs its service as the package's `start` script does, read from its package.json:
// the memory settings of docs/operations.md ("Memory") and the telemetry preload live there once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@paystream/runbooks';

/** `[NAME=value ...] node [flags ...] <script>`, taken apart. */
export interface StartCommand {
  /** The package's folder in the image (the container's working directory). */
  workingDir: string;
  env: Record<string, string>;
  /** `node`, its flags and the entry file: the container's command. */
  command: string[];
}

/** The start script of `services/<name>`, for an image holding the repository at `/app`. */
export function startCommand(packageDir: string, root = REPO_ROOT): StartCommand {
  const pkg = JSON.parse(readFileSync(join(root, packageDir, 'package.json'), 'utf8')) as {
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
  return { workingDir: `/app/${packageDir}`, env, command: words.slice(i) };
}
