import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  METRIC_UPSTREAM_REQUEST_DURATION_SECONDS as DURATION,
  METRIC_EVENTS_PUBLISHED_TOTAL as EVENTS,
  METRIC_HTTP_REQUESTS_TOTAL as HTTP,
  METRIC_OUTBOX_PENDING as OUTBOX,
  METRIC_NOTIFICATIONS_REJECTED_TOTAL as REJECTED,
  METRIC_UPSTREAM_REQUESTS_TOTAL as UPSTREAM,
} from '@paystream/telemetry';
import { PROMETHEUS, paystreamDashboard, promql, RATE } from './common.js';

/** Traffic, success ratio, latency by operation, events published, the outbox. */
export function overviewDashboard() {
  return paystreamDashboard('Paystream / Overview', 'paystream-overview', 'now-3h')
    .withRow(new RowBuilder('Traffic'))
    .withPanel(
      new StatPanel()
        .title('Gateway up')
        .datasource(PROMETHEUS)
        .withTarget(promql('sum(up{job="paystream"})', 'instances up'))
        .height(4)
        .span(4),
    )
    .withPanel(
      new StatPanel()
        .title('Upstream success ratio')
        .description('Share of upstream calls that answered 00 (category success).')
        .datasource(PROMETHEUS)
        .unit('percentunit')
        .withTarget(
          promql(
            `sum(rate(${UPSTREAM}{category="success"}${RATE})) / sum(rate(${UPSTREAM}${RATE}))`,
            'success',
          ),
        )
        .height(4)
        .span(4),
    )
    .withPanel(
      new StatPanel()
        .title('Outbox pending')
        .description('Events recorded with their payment and not yet on the bus.')
        .datasource(PROMETHEUS)
        .withTarget(promql(`max(${OUTBOX})`, 'pending'))
        .height(4)
        .span(4),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('HTTP requests by route')
        .datasource(PROMETHEUS)
        .unit('reqps')
        .withTarget(promql(`sum by (route, status) (rate(${HTTP}${RATE}))`, '{{route}} {{status}}'))
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Upstream calls by operation and code')
        .datasource(PROMETHEUS)
        .unit('reqps')
        .withTarget(promql(`sum by (operation, code) (rate(${UPSTREAM}${RATE}))`, '{{operation}} {{code}}'))
        .span(12),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      new TimeseriesPanel()
        .title('Upstream latency p95 by operation')
        .description('Points are exemplars: click one to open the trace of a call in that bucket.')
        .datasource(PROMETHEUS)
        .unit('s')
        .withTarget(
          promql(
            `histogram_quantile(0.95, sum by (le, operation) (rate(${DURATION}_bucket${RATE})))`,
            '{{operation}} p95',
          ).exemplar(true),
        )
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Upstream latency p50 by operation')
        .datasource(PROMETHEUS)
        .unit('s')
        .withTarget(
          promql(
            `histogram_quantile(0.5, sum by (le, operation) (rate(${DURATION}_bucket${RATE})))`,
            '{{operation}} p50',
          ),
        )
        .span(12),
    )
    .withRow(new RowBuilder('Events and notifications'))
    .withPanel(
      new TimeseriesPanel()
        .title('Events published by type')
        .datasource(PROMETHEUS)
        .unit('ops')
        .withTarget(promql(`sum by (type) (rate(${EVENTS}${RATE}))`, '{{type}}'))
        .span(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Outbox pending')
        .datasource(PROMETHEUS)
        .withTarget(promql(`max(${OUTBOX})`, 'pending'))
        .span(8),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Notify callbacks refused by reason')
        .datasource(PROMETHEUS)
        .unit('ops')
        .withTarget(promql(`sum by (reason) (rate(${REJECTED}${RATE}))`, '{{reason}}'))
        .span(8),
    );
}
