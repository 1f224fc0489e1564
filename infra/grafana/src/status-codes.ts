import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { DataqueryBuilder as TempoQuery } from '@grafana/grafana-foundation-sdk/tempo';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  ATTR_UPSTREAM_CODE,
  METRIC_UPSTREAM_WALLET_REQUESTS_TOTAL as BY_WALLET,
  METRIC_UPSTREAM_CODE_INFO as CODE_INFO,
  METRIC_UPSTREAM_REQUEST_DURATION_SECONDS as DURATION,
  METRIC_UPSTREAM_REQUESTS_TOTAL as UPSTREAM,
} from '@paystream/telemetry';
import {
  labelValuesVariable,
  PROMETHEUS,
  paystreamDashboard,
  promql,
  RATE,
  runbookBaseVariable,
  runbookDataLink,
  TEMPO,
} from './common.js';

/** The code of the row a data link is clicked on (Grafana's data-link syntax). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana data-link variable
const ROW_CODE = '${__data.fields.code}';

/**
 * One upstream status code at a time (`$code`, from the counter's label values): its rate, share
 * of calls, latency with exemplar traces, the catalog's zh/en meaning with a link to the code's
 * runbook, and its recent traces; then one row per category (`$category`, repeated).
 */
export function statusCodesDashboard() {
  return paystreamDashboard('Paystream / Status codes', 'paystream-status-codes', 'now-6h')
    .withVariable(labelValuesVariable('code', UPSTREAM, 'code'))
    .withVariable(labelValuesVariable('category', UPSTREAM, 'category', { all: true }))
    .withVariable(runbookBaseVariable())
    .withRow(new RowBuilder('Code $code'))
    .withPanel(
      new TablePanel()
        .title('Meaning of $code')
        .description(
          "The aggregator's appendix: Chinese and English, with Paystream's category and severity. Click the row for the code's runbook (docs/runbooks/<code>.md).",
        )
        .datasource(PROMETHEUS)
        .dataLinks([runbookDataLink(ROW_CODE)])
        .withTarget(
          promql(`${CODE_INFO}{code="$code"}`)
            .instant()
            .format('table' as never),
        )
        .height(4)
        .span(24),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Rate of $code by operation')
        .datasource(PROMETHEUS)
        .unit('reqps')
        .withTarget(promql(`sum by (operation) (rate(${UPSTREAM}{code="$code"}${RATE}))`, '{{operation}}'))
        .span(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Share of calls answering $code')
        .datasource(PROMETHEUS)
        .unit('percentunit')
        .withTarget(
          promql(
            `sum by (operation) (rate(${UPSTREAM}{code="$code"}${RATE})) / on (operation) sum by (operation) (rate(${UPSTREAM}${RATE}))`,
            '{{operation}}',
          ),
        )
        .span(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Latency of $code (p95), with exemplar traces')
        .description(
          'Each point is an exemplar: a call of that code and its trace id. Click it to open the trace.',
        )
        .datasource(PROMETHEUS)
        .unit('s')
        .withTarget(
          promql(
            `histogram_quantile(0.95, sum by (le, operation) (rate(${DURATION}_bucket{code="$code"}${RATE})))`,
            '{{operation}} p95',
          ).exemplar(true),
        )
        .span(8),
    )
    .withPanel(
      new TablePanel()
        .title('Recent traces of $code')
        .description('The upstream spans that answered $code, newest first (Tempo).')
        .datasource(TEMPO)
        .withTarget(
          new TempoQuery()
            .refId('A')
            .queryType('traceql')
            .query(`{ span.${ATTR_UPSTREAM_CODE} = "$code" }`)
            .limit(20)
            .datasource(TEMPO),
        )
        .span(24),
    )
    .withRow(new RowBuilder('Category $category').repeat('category'))
    .withPanel(
      new TimeseriesPanel()
        .title('$category: calls by code')
        .datasource(PROMETHEUS)
        .unit('reqps')
        .withTarget(promql(`sum by (code) (rate(${UPSTREAM}{category=~"$category"}${RATE}))`, '{{code}}'))
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('$category: share of calls by wallet')
        .datasource(PROMETHEUS)
        .unit('percentunit')
        .withTarget(
          promql(
            `sum by (wallet) (rate(${BY_WALLET}{category=~"$category"}${RATE})) / on (wallet) sum by (wallet) (rate(${BY_WALLET}${RATE}))`,
            '{{wallet}}',
          ),
        )
        .span(12),
    );
}
