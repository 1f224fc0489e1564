// Services are deployables, not libraries: a workspace package that needs something of a
// service at run time needs it moved into a package. Only the all-in-one, which is several
// services in one process, composes them. Tests and their fixtures may start services, and so
// may a test kit: a package that every other package takes as a devDependency only, so that
// nothing it needs is ever installed to run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const COMPOSER = 'services/allinone';

interface Manifest {
  dir: string;
  name: string;
  dependencies: string[];
  devDependencies: string[];
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
        devDependencies: Object.keys(pkg.devDependencies ?? {}),
      };
    });
}

const services = manifests('services');
const serviceNames = new Set(services.map((s) => s.name));
const everything = [
  ...manifests('packages'),
  ...services,
  ...manifests('plugins'),
  ...manifests('infra'),
  ...manifests('examples'),
];
const atRunTime = new Set(everything.flatMap((p) => p.dependencies));
const testKits = new Set(
  everything
    .filter((p) => !atRunTime.has(p.name) && everything.some((q) => q.devDependencies.includes(p.name)))
    .map((p) => p.name),
);
const shipping = (p: Manifest) => !testKits.has(p.name);
const workspace = [...manifests('packages'), ...services, ...manifests('plugins')].filter(shipping);

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

  it('counts a test kit as one only while nothing takes it at run time', () => {
    for (const kit of testKits) expect(atRunTime.has(kit), kit).toBe(false);
    expect(testKits.has('@paystream/gateway')).toBe(false);
  });

  it.each(workspace.filter((p) => p.dir !== COMPOSER).map((p) => [p.dir, p] as const))(
    '%s depends on no service at run time',
    (_dir, pkg) => {
      expect(pkg.dependencies.filter((d) => serviceNames.has(d))).toEqual([]);
    },
  );

  it.each([...manifests('packages'), ...manifests('plugins')].filter(shipping).map((p) => [p.dir] as const))(
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
