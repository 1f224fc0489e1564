import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  ConstantVariableBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';

/** Dashboards query the Prometheus chosen in `$datasource` (the provisioned one is uid `prometheus`). */
// Grafana's own variable syntax, not a JavaScript template.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable reference
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
/** Traces: the provisioned Tempo (uid `tempo`), which the Prometheus exemplars link to. */
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'tempo' };

/** The `$datasource` variable every dashboard starts with. */
export function datasourceVariable() {
  return new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

/** A `label_values(metric, label)` variable: the values Prometheus has seen, refreshed with the time range. */
export function labelValuesVariable(
  name: string,
  metric: string,
  label: string,
  opts: { all?: boolean } = {},
) {
  const query = `label_values(${metric}, ${label})`;
  const v = new QueryVariableBuilder(name)
    .label(name)
    .datasource(PROMETHEUS)
    .query({ qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc);
  return opts.all ? v.multi(true).includeAll(true).allValue('.*') : v;
}

/**
 * `$runbook_base`: what runbook links start with. Empty here, so a link is the page's path in the
 * repository (`docs/runbooks/64.md`); a deployment sets it to where the docs are published
 * (PAYSTREAM_RUNBOOK_BASE_URL when infra/k8s generates the dashboards' ConfigMap).
 */
export const RUNBOOK_BASE_VARIABLE = 'runbook_base';

export function runbookBaseVariable(value = '') {
  return new ConstantVariableBuilder(RUNBOOK_BASE_VARIABLE)
    .label('Runbook base URL')
    .description('Prefix of runbook links: where docs/runbooks/ is published (PAYSTREAM_RUNBOOK_BASE_URL)')
    .value(value);
}

/** A link that opens the runbook page of the status code in the data (`docs/runbooks/<code>.md`). */
export function runbookDataLink(codeRef: string) {
  return new DashboardLinkBuilder(`Runbook for code ${codeRef}`)
    .url(`\${${RUNBOOK_BASE_VARIABLE}}docs/runbooks/${codeRef}.md`)
    .targetBlank(true);
}

/** The range of every `rate()` on the dashboards: Grafana's `$__rate_interval`. */
export const RATE = '[$__rate_interval]';

/** A PromQL target. */
export function promql(expr: string, legend?: string, refId = 'A') {
  const q = new DataqueryBuilder().expr(expr).refId(refId).datasource(PROMETHEUS);
  return legend ? q.legendFormat(legend) : q;
}

/** A Paystream dashboard: its uid, the `paystream` tag, 30 s refresh, browser time, `$datasource`. */
export function paystreamDashboard(title: string, uid: string, from: string) {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(['paystream'])
    .refresh('30s')
    .time({ from, to: 'now' })
    .timezone('browser')
    .withVariable(datasourceVariable());
}
