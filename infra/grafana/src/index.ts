import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { overviewDashboard } from './overview.js';
import { pluginsDashboard } from './plugins.js';
import { statusCodesDashboard } from './status-codes.js';

export type { PromQuery } from './queries.js';
export { promQueries } from './queries.js';
export { overviewDashboard, pluginsDashboard, statusCodesDashboard };

/** Every dashboard by the file name its JSON is committed under (dashboards/<name>.json). */
export function dashboards(): Record<string, Dashboard> {
  return {
    overview: overviewDashboard().build(),
    'status-codes': statusCodesDashboard().build(),
    plugins: pluginsDashboard().build(),
  };
}

/** The committed form: stable key order as built, two-space indent, trailing newline. */
export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
