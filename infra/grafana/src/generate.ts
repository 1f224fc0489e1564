// `pnpm --filter @paystream/grafana generate`: writes dashboards/*.json from the TypeScript
// definitions. The JSON is committed (Grafana provisions it); a test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { dashboardJson, dashboards } from './index.js';

const dir = new URL('../dashboards/', import.meta.url);
for (const [name, d] of Object.entries(dashboards())) {
  writeFileSync(new URL(`${name}.json`, dir), dashboardJson(d));
  console.info(`dashboards/${name}.json`);
}
