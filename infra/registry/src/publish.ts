// Publishes workspace packages to a registry as a release would: pnpm replaces each `workspace:`
// and `catalog:` range with the version it stands for, and packs only each package's `files`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkspacePackage } from './packages.js';
import type { LocalRegistry } from './registry.js';

const run = promisify(execFile);

export interface Published {
  name: string;
  version: string;
}

/** Publishes `packages` (refusing private ones by name) and checks the registry serves each. */
export async function publishPackages(
  registry: Pick<LocalRegistry, 'url' | 'npmrc'>,
  root: string,
  packages: readonly WorkspacePackage[],
): Promise<Published[]> {
  const closed = packages.filter((p) => p.private);
  if (closed.length > 0)
    throw new Error(
      `cannot publish: ${closed.map((p) => p.name).join(', ')} ${closed.length === 1 ? 'is' : 'are'} private, and a published package needs ${closed.length === 1 ? 'it' : 'them'}`,
    );
  const filters = packages.flatMap((p) => ['--filter', p.name]);
  try {
    await run('pnpm', ['-r', ...filters, 'publish', '--no-git-checks', '--registry', registry.url], {
      cwd: root,
      env: { ...process.env, NPM_CONFIG_USERCONFIG: registry.npmrc },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`pnpm publish failed: ${(e.stderr || e.stdout || e.message).slice(-3000)}`);
  }
  const published: Published[] = [];
  for (const p of packages) {
    const res = await fetch(new URL(p.name.replace('/', '%2f'), registry.url));
    const body = (await res.json()) as { versions?: Record<string, unknown> };
    if (!res.ok || !body.versions?.[p.version])
      throw new Error(
        `${p.name}@${p.version} is not served by ${registry.url} after publishing (${res.status})`,
      );
    published.push({ name: p.name, version: p.version });
  }
  return published;
}
