// pnpm --filter @paystream/registry run api:update: writes api-report.json beside each public
// package from its built declarations (after `make build`), to be committed with the change.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiReport } from './api-report.js';
import { PUBLIC_PACKAGES, workspacePackages } from './packages.js';

const root = resolve(import.meta.dirname, '../../..');
const all = workspacePackages(root);
for (const name of PUBLIC_PACKAGES) {
  const pkg = all.get(name)!;
  const report = apiReport(pkg.dir);
  writeFileSync(join(pkg.dir, 'api-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const count = Object.values(report.entryPoints).reduce((n, e) => n + Object.keys(e).length, 0);
  console.info(`${name}@${report.version}: ${count} exports`);
}
