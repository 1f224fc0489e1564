import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** Starts integration/fixtures/<name>.ts in its own Node.js process (type stripping, no build step). */
export function spawnFixture(
  name: string,
  env: Record<string, string>,
): ChildProcess & { output: () => string } {
  const child = spawn(
    process.execPath,
    ['--no-warnings', join(import.meta.dirname, 'fixtures', `${name}.ts`)],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += String(d);
  });
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  return Object.assign(child, { output: () => output });
}

/** Resolves with the exit code (or signal name) of a child. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}
