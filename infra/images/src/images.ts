// What each image holds and how it starts. One definition feeds both ways of building: the
// buildah steps of `make images` (build.ts) and the Containerfiles teams with Docker build
// (containerfile.ts renders them; a test keeps the committed ones in step).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE_DATA_DIR, startScriptOf } from '@paystream/fleet';
import { REPO_ROOT } from './paths.js';

/** The user every image runs as: the manifests' runAsUser, and the official node images' `node`. */
export const IMAGE_UID = 1000;

/** Where Node.js is in the base, as in the official node images (so those can be the base too). */
export const NODE_PATH = '/usr/local/bin/node';

/** Where a service's production bundle is: its working directory. */
export const APP_DIR = '/app';

/** The shipped plugins the plugin host image carries (dependencies of the all-in-one). */
export const IMAGE_PLUGINS = ['accounting', 'alerting', 'erp-csv', 'erp-webhook'] as const;

/** The registry part of every image's name (podman's local storage). */
export const IMAGE_REPOSITORY = 'localhost/paystream';

export interface ImageSpec {
  /** The image's name under {@link IMAGE_REPOSITORY}; its Containerfile is containerfiles/<name>. */
  name: string;
  title: string;
  description: string;
  /** The workspace package whose `pnpm deploy --prod` bundle is /app. */
  bundle: string;
  /** The folder of the service it runs (its package.json has the start script). */
  packageDir: string;
  /** The entry under /app, when the service is a dependency of the bundle. Default its dist/main.js. */
  main?: string;
  /** The ports it listens on by default. */
  ports: readonly number[];
  /** Environment baked in (the start script's variables first). */
  env: Record<string, string>;
  /** Files written into /app besides the bundle. */
  files: Record<string, string>;
  /** `node` and its flags and entry, from the service's start script. */
  entrypoint: string[];
  /** Writable folders a read-only root needs, declared as volumes, owned by {@link IMAGE_UID}. */
  volumes: readonly string[];
}

/** The start script of a package taken apart: `[NAME=value …] node [flags …] <script>`. */
export function startCommand(
  packageDir: string,
  main?: string,
): { env: Record<string, string>; command: string[] } {
  const { env, args } = startScriptOf(packageDir);
  const command = [NODE_PATH, ...args];
  if (main) command[command.length - 1] = main;
  return { env, command };
}

/** A package's version (package.json). */
export function packageVersion(packageDir: string): string {
  return (
    JSON.parse(readFileSync(join(REPO_ROOT, packageDir, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

function spec(
  s: Omit<ImageSpec, 'env' | 'entrypoint' | 'files' | 'volumes'> &
    Partial<Pick<ImageSpec, 'env' | 'files' | 'volumes'>>,
): ImageSpec {
  const start = startCommand(s.packageDir, s.main);
  return {
    ...s,
    files: s.files ?? {},
    volumes: s.volumes ?? [],
    // HOST 0.0.0.0: a container's loopback is its own, unless it shares the host's network.
    env: { NODE_ENV: 'production', HOST: '0.0.0.0', ...start.env, ...s.env },
    entrypoint: start.command,
  };
}

/** The deployables, in build order. */
export function imageSpecs(): ImageSpec[] {
  return [
    spec({
      name: 'gateway',
      title: 'Paystream gateway',
      description: 'The HTTP API: payments, refunds, notify callbacks, the events outbox',
      bundle: '@paystream/gateway',
      packageDir: 'services/gateway',
      ports: [8080],
    }),
    spec({
      name: 'plugin-host',
      title: 'Paystream plugin host',
      description: `The plugin host and the shipped plugins (${IMAGE_PLUGINS.join(', ')})`,
      // The all-in-one depends on the plugin host process and on every shipped plugin, so its bundle
      // holds them with one copy of each dependency, and a plugin list beside it names plugins by package
      // (as the manifests' list does). Deployed one by one, each plugin would carry its own copy.
      bundle: '@paystream/allinone',
      packageDir: 'services/plugin-host',
      main: 'node_modules/@paystream/plugin-host/dist/main.js',
      ports: [8090],
      env: { PLUGIN_HOST_CONFIG: `${APP_DIR}/plugin-host.json` },
      files: { 'plugin-host.json': defaultPluginHostConfig() },
      // Each plugin's data folder is .data/plugins under the working directory.
      volumes: [IMAGE_DATA_DIR],
    }),
    spec({
      name: 'sandbox',
      title: 'Paystream aggregator sandbox',
      description: 'The in-memory aggregator sandbox (development and tests)',
      bundle: '@paystream/upstream-sandbox',
      packageDir: 'services/upstream-sandbox',
      ports: [8081],
      env: { SANDBOX_HOST: '0.0.0.0' },
    }),
    spec({
      name: 'allinone',
      title: 'Paystream all-in-one',
      description: 'Gateway, sandbox, plugins, embedded bus and SQLite in one process (development)',
      bundle: '@paystream/allinone',
      packageDir: 'services/allinone',
      ports: [8080, 8081],
      // The SQLite files and the embedded bus are under .data.
      volumes: [IMAGE_DATA_DIR],
    }),
  ];
}

/**
 * The plugin host image's default PLUGIN_HOST_CONFIG: the shipped plugins that need nothing
 * outside the image. erp-webhook needs an ERP's URL and secret, so a deployment lists it in its
 * own file (mounted over this one).
 */
export function defaultPluginHostConfig(): string {
  const dir = `${IMAGE_DATA_DIR}/erp`;
  const plugins = [
    { package: '@paystream/accounting', options: { reconciliationDir: dir } },
    { package: '@paystream/alerting', options: {} },
    { package: '@paystream/erp-csv', options: { dir } },
  ];
  return `${JSON.stringify({ plugins }, null, 2)}\n`;
}
