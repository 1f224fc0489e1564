import { loadConfig, loadSandboxConfig, type PaystreamConfig, type SandboxConfig } from './env.js';
import { ConfigError } from './errors.js';

/**
 * Loads the configuration for a process entry point. A bad variable ends the process with exit
 * code 2 and a message naming it (never its value); anything else is a bug and is rethrown.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): PaystreamConfig {
  return orExit(() => loadConfig(env));
}

/** {@link loadConfigOrExit} for the sandbox's process. */
export function loadSandboxConfigOrExit(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  return orExit(() => loadSandboxConfig(env));
}

function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Closes gracefully on the first SIGINT or SIGTERM: exit 0 once `close` resolves, exit 1 when it
 * fails or outlasts `timeoutMs` (a stuck drain must not keep a deploy waiting forever).
 */
export function closeOnSignals(
  close: () => Promise<unknown>,
  options: { timeoutMs: number; onSignal?: (signal: NodeJS.Signals) => void },
): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      options.onSignal?.(signal);
      const force = setTimeout(() => process.exit(1), options.timeoutMs);
      force.unref();
      void close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
