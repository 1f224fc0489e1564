// A local npm registry: Verdaccio in a process of its own, its storage in a folder of the caller's,
// Paystream's packages served from that storage only and everything else proxied from the npm
// registry. A connector's project points its .npmrc here and installs as it would from a company
// registry.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

export interface RegistryOptions {
  /** Where the storage, the users file and the config go (created if missing). */
  dir: string;
  port: number;
  /** Where third-party packages come from. Default https://registry.npmjs.org/. */
  uplink?: string;
  /** Seconds to wait for the registry to answer. Default 60. */
  startTimeoutSeconds?: number;
}

export interface LocalRegistry {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  /** A token of a user that may publish (written to `npmrc`). */
  readonly token: string;
  /** An .npmrc that installs from this registry and publishes to it. */
  readonly npmrc: string;
  stop(): Promise<void>;
}

/** Packages published here are never looked up upstream: a scope that is ours alone. */
export const OWN_SCOPE = '@paystream';

export function verdaccioConfig(dir: string, uplink: string): Record<string, unknown> {
  return {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
    uplinks: { npmjs: { url: uplink, timeout: '60s', maxage: '30m' } },
    packages: {
      [`${OWN_SCOPE}/*`]: { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: '$authenticated', proxy: 'npmjs' },
    },
    log: { type: 'stdout', format: 'json', level: 'warn' },
    server: { keepAliveTimeout: 60 },
  };
}

function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
}

async function answering(
  url: string,
  deadline: number,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`verdaccio exited (${child.exitCode}): ${output().slice(-2000)}`);
    try {
      const res = await fetch(new URL('-/ping', url));
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`verdaccio did not answer at ${url}: ${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates the publishing user and returns its token (Verdaccio's htpasswd registration). */
async function addUser(url: string): Promise<string> {
  const name = 'paystream-release';
  const res = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `local-${process.pid}-${Date.now()}` }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token)
    throw new Error(`cannot create the registry's user: ${res.status} ${body.error ?? ''}`);
  return body.token;
}

/** Starts Verdaccio on 127.0.0.1:`port`; resolves once it answers and a publishing user exists. */
export async function startRegistry(opts: RegistryOptions): Promise<LocalRegistry> {
  mkdirSync(opts.dir, { recursive: true });
  const configFile = join(opts.dir, 'config.yaml');
  writeFileSync(
    configFile,
    stringify(verdaccioConfig(opts.dir, opts.uplink ?? 'https://registry.npmjs.org/')),
  );
  const url = `http://127.0.0.1:${opts.port}/`;
  const child = spawn(
    process.execPath,
    [verdaccioBin(), '--config', configFile, '--listen', `127.0.0.1:${opts.port}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Tarball addresses in the metadata it serves name this address, whatever port the run chose.
      env: { ...process.env, VERDACCIO_PUBLIC_URL: url },
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    await answering(url, Date.now() + (opts.startTimeoutSeconds ?? 60) * 1000, child, () => output);
    const token = await addUser(url);
    const npmrc = join(opts.dir, 'npmrc');
    const host = url.replace(/^http:/, '');
    writeFileSync(npmrc, `registry=${url}\n${host}:_authToken=${token}\n`);
    return { url, token, npmrc, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
