// Services are deployables, not libraries: a workspace package that needs something of a
// service at run time needs it moved into a package. Only the all-in-one, which is several
// services in one process, composes them, as do the harnesses under infra/ that run services for
// tests and development (a local fleet, chaos runs, images) and are never deployed or published.
// Tests and their fixtures may start services; the plugin test kit starts the plugin runtime, a
// package, not the plugin host process.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const COMPOSER = 'services/allinone';

interface Manifest {
  dir: string;
  name: string;
  dependencies: string[];
}

function manifests(group: string): Manifest[] {
  if (!existsSync(join(ROOT, group))) return [];
  return readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, group, d.name, 'package.json')))
    .map((d) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, group, d.name, 'package.json'), 'utf8'));
      return {
        dir: `${group}/${d.name}`,
        name: pkg.name,
        dependencies: Object.keys(pkg.dependencies ?? {}),
      };
    });
}

const services = manifests('services');
const serviceNames = new Set(services.map((s) => s.name));
const workspace = [...manifests('packages'), ...services, ...manifests('plugins'), ...manifests('examples')];

/** Source files that ship: not tests, not their fixtures. */
function shipped(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((f) => f.isFile() && /\.(ts|mts|js|mjs)$/.test(f.name))
    .map((f) => join(f.parentPath, f.name))
    .filter((f) => !/\.test\.|\.test-d\.|__fixtures__|\/testing\//.test(f));
}

describe('workspace manifests', () => {
  it('finds the services', () => {
    expect([...serviceNames]).toContain('@paystream/gateway');
  });

  it.each(workspace.filter((p) => p.dir !== COMPOSER).map((p) => [p.dir, p] as const))(
    '%s depends on no service at run time',
    (_dir, pkg) => {
      expect(pkg.dependencies.filter((d) => serviceNames.has(d))).toEqual([]);
    },
  );

  it.each([...manifests('packages'), ...manifests('plugins')].map((p) => [p.dir] as const))(
    '%s imports no service outside tests',
    (dir) => {
      const offending = shipped(join(ROOT, dir, 'src')).flatMap((file) => {
        const text = readFileSync(file, 'utf8');
        return [...serviceNames]
          .filter((name) => new RegExp(`from ['"]${name}(/[^'"]*)?['"]`).test(text))
          .map((name) => `${relative(ROOT, file)} imports ${name}`);
      });
      expect(offending).toEqual([]);
    },
  );
});
