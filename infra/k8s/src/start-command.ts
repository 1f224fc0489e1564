// A container runs its service as the package's `start` script does, read from its package.json:
// the memory settings of docs/operations.md ("Memory") and the telemetry preload live there once.
import { readStartScript } from '@paystream/config';
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
  const { env, args } = readStartScript(packageDir, root);
  return { workingDir: `/app/${packageDir}`, env, command: ['node', ...args] };
}
