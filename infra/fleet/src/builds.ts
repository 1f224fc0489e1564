// Where the programs the fleet runs are: the builds (dist/) of this checkout. The gateway and the
// plugin host are found by path, not imported as packages: the gateway's own suites start fleets,
// so a package dependency on it would be a cycle.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStartScript, type StartScript } from '@paystream/config';

/** The repository's root (this file is infra/fleet/src or infra/fleet/dist). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The gateway build the fleet runs: this checkout's services/gateway/dist/main.js, unless
 * PAYSTREAM_GATEWAY_MAIN names another build's main.js (to run the same suite against a baseline).
 */
export function gatewayMain(): string {
  return process.env.PAYSTREAM_GATEWAY_MAIN || join(REPO_ROOT, 'services', 'gateway', 'dist', 'main.js');
}

/** The standalone plugin host (services/plugin-host/dist/main.js). */
export function pluginHostMain(): string {
  return join(REPO_ROOT, 'services', 'plugin-host', 'dist', 'main.js');
}

/** The sandbox process (services/upstream-sandbox/dist/main.js, beside the package's entry). */
export function sandboxMain(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@paystream/upstream-sandbox'))), 'main.js');
}

/** How a package of this checkout starts (e.g. `services/gateway`): its package.json's start script. */
export function startScriptOf(packageDir: string): StartScript {
  return readStartScript(packageDir, REPO_ROOT);
}

/** A shipped plugin's built entry (plugins/<name>/dist/index.js). */
export function pluginEntry(name: string): string {
  return join(REPO_ROOT, 'plugins', name, 'dist', 'index.js');
}

/** infra/kafka: kafka.sh, the jars it fetches, the properties templates. */
export const KAFKA_DIR = join(REPO_ROOT, 'infra', 'kafka');

/** Throws naming the missing builds, so a run without `make build` says what to do. */
export function requireBuilds(paths: readonly string[]): void {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(`missing builds (run make build): ${missing.join(', ')}`);
  }
}
