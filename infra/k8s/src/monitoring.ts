// What the Prometheus Operator and Grafana pick up: a ServiceMonitor per service, the rules of
// infra/prometheus as a PrometheusRule (the same file the promtool tests run), and the dashboards
// of infra/grafana as a ConfigMap for Grafana's dashboard sidecar. Runbook links become absolute
// when a base URL is set (PAYSTREAM_RUNBOOK_BASE_URL at generation).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { REPO_ROOT, runbookUrl } from '@paystream/runbooks';
import { ConfigMap } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { labels } from './config.js';
import { type ClusterSettings, NAMES } from './settings.js';
import { JOB_LABEL } from './workloads.js';

export const RULES_FILE = 'infra/prometheus/rules/paystream.rules.yml';
export const DASHBOARDS_DIR = 'infra/grafana/dashboards';

interface RulesFile {
  groups: { name: string; rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

export function serviceMonitors(s: ClusterSettings) {
  const monitor = (name: string, jobLabel: boolean) =>
    new ServiceMonitor({
      metadata: { name, namespace: s.namespace, labels: { ...labels(name), ...s.monitoringLabels } },
      spec: {
        // The gateway's job is `paystream`, as the rules (PaystreamGatewayDown) and dashboards expect.
        ...(jobLabel ? { jobLabel: JOB_LABEL } : {}),
        selector: { matchLabels: labels(name) },
        endpoints: [{ port: 'http', path: '/metrics', interval: '15s', scrapeTimeout: '10s' }],
      },
    });
  return [monitor(NAMES.gateway, true), monitor(NAMES.pluginHost, true)];
}

/** The rules file's groups, with each runbook_url joined to the base URL. */
export function ruleGroups(s: ClusterSettings, root = REPO_ROOT) {
  const doc = parse(readFileSync(join(root, RULES_FILE), 'utf8')) as RulesFile;
  return doc.groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) =>
      r.annotations?.runbook_url
        ? {
            ...r,
            annotations: {
              ...r.annotations,
              runbook_url: runbookUrl(r.annotations.runbook_url, s.runbookBaseUrl),
            },
          }
        : r,
    ),
  }));
}

export function prometheusRule(s: ClusterSettings) {
  return new PrometheusRule({
    metadata: {
      name: 'paystream',
      namespace: s.namespace,
      labels: { ...labels('paystream'), ...s.monitoringLabels },
    },
    spec: { groups: ruleGroups(s) as never },
  });
}

/** The committed dashboards, `$runbook_base` set to the base URL (empty: repository paths). */
export function dashboardsConfigMap(s: ClusterSettings, root = REPO_ROOT) {
  const dir = join(root, DASHBOARDS_DIR);
  const data: Record<string, string> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    if (!s.runbookBaseUrl) {
      data[file] = text;
      continue;
    }
    const dashboard = JSON.parse(text) as { templating?: { list?: { name: string; query?: unknown }[] } };
    for (const v of dashboard.templating?.list ?? [])
      if (v.name === 'runbook_base') v.query = `${s.runbookBaseUrl.replace(/\/+$/, '')}/`;
    data[file] = `${JSON.stringify(dashboard, null, 2)}\n`;
  }
  return new ConfigMap({
    metadata: {
      name: NAMES.dashboards,
      namespace: s.namespace,
      labels: { ...labels('paystream'), [s.grafanaDashboardLabel]: '1' },
      // The sidecar files them in this folder.
      annotations: { grafana_folder: s.grafanaFolder },
    },
    data,
  });
}
