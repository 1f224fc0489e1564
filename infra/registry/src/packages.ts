// Which workspace packages go to a registry: the public ones a connector's project names, and every
// workspace package they need at run time (a registry install cannot reach into the monorepo).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a connector's project depends on: the contract, its test kit, money, events, the typed client. */
export const PUBLIC_PACKAGES = [
  '@paystream/plugin-sdk',
  '@paystream/plugin-testing',
  '@paystream/client',
  '@paystream/money',
  '@paystream/events',
] as const;

/** Shipped plugins a connector's own tests may run beside it (the ledger posts what it reads). */
export const SHIPPED_PLUGINS = ['@paystream/accounting'] as const;

export interface WorkspacePackage {
  name: string;
  version: string;
  dir: string;
  private: boolean;
  /** Workspace packages it needs at run time. */
  needs: string[];
}

const GROUPS = ['packages', 'services', 'plugins'];

export function workspacePackages(root: string): Map<string, WorkspacePackage> {
  const all = new Map<string, WorkspacePackage>();
  for (const group of GROUPS) {
    for (const entry of readdirSync(join(root, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(root, group, entry.name);
      let manifest: {
        name: string;
        version: string;
        private?: boolean;
        dependencies?: Record<string, string>;
      };
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      all.set(manifest.name, {
        name: manifest.name,
        version: manifest.version,
        dir,
        private: manifest.private === true,
        needs: Object.entries(manifest.dependencies ?? {})
          .filter(([, spec]) => spec.startsWith('workspace:'))
          .map(([name]) => name),
      });
    }
  }
  return all;
}

/** `roots` and every workspace package they need at run time, in dependency order. */
export function publishSet(root: string, roots: readonly string[]): WorkspacePackage[] {
  const all = workspacePackages(root);
  const ordered: WorkspacePackage[] = [];
  const seen = new Set<string>();
  const visit = (name: string, from: string) => {
    if (seen.has(name)) return;
    const pkg = all.get(name);
    if (!pkg) throw new Error(`${from} needs ${name}, which is not a workspace package`);
    seen.add(name);
    for (const dep of pkg.needs) visit(dep, name);
    ordered.push(pkg);
  };
  for (const name of roots) visit(name, 'the publish set');
  return ordered;
}
