import { catalog } from '@paystream/codes';
import { pluginAlerts, prometheusAlerts } from './alerts.js';
import { REPO_ROOT } from './paths.js';
import { renderRunbooks } from './render.js';

export type { AlertInfo, CodeAlert, PluginAlert, PrometheusAlert } from './alerts.js';
export { alertsFor, PROMETHEUS_RULES_DIR, pluginAlerts, prometheusAlerts } from './alerts.js';
export { anchorsOf, expandLink, headingSlug, linkProblem } from './links.js';
export {
  categoryAnchor,
  REPO_ROOT,
  RUNBOOK_BASE_URL_VARIABLE,
  RUNBOOK_INDEX,
  RUNBOOKS_DIR,
  runbookFile,
  runbookPath,
  runbookUrl,
} from './paths.js';
export { CATEGORIES, renderCodePage, renderIndex, renderRunbooks } from './render.js';

/** Every page as the generator writes it, by its path from the root. */
export function generatedRunbooks(root = REPO_ROOT): Map<string, string> {
  return renderRunbooks(catalog, prometheusAlerts(root), pluginAlerts());
}
