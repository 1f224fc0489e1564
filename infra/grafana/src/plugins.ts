import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import {
  METRIC_ALERTS_FIRED_TOTAL as ALERTS,
  METRIC_PLUGIN_DEAD_LETTERS as DLQ,
  METRIC_PLUGIN_EVENTS_TOTAL as HANDLED,
  METRIC_PLUGIN_CONSUMER_LAG as LAG,
  METRIC_LEDGER_ENTRIES_TOTAL as LEDGER,
  METRIC_PLUGIN_CONSUMER_RESTARTS_TOTAL as RESTARTS,
} from '@paystream/telemetry';
import { labelValuesVariable, PROMETHEUS, paystreamDashboard, promql, RATE } from './common.js';

/** Each plugin's consumer group: throughput, failures, lag, dead letters; the ledger and alerting plugins' output. */
export function pluginsDashboard() {
  return paystreamDashboard('Paystream / Plugins', 'paystream-plugins', 'now-3h')
    .withVariable(labelValuesVariable('plugin', HANDLED, 'plugin', { all: true }))
    .withRow(new RowBuilder('Consumer groups'))
    .withPanel(
      new TimeseriesPanel()
        .title('Events handled by plugin')
        .datasource(PROMETHEUS)
        .unit('ops')
        .withTarget(
          promql(`sum by (plugin) (rate(${HANDLED}{plugin=~"$plugin",outcome="ok"}${RATE}))`, '{{plugin}}'),
        )
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Failures: retries and dead letters')
        .datasource(PROMETHEUS)
        .unit('ops')
        .withTarget(
          promql(
            `sum by (plugin, outcome) (rate(${HANDLED}{plugin=~"$plugin",outcome=~"retried|dead_lettered"}${RATE}))`,
            '{{plugin}} {{outcome}}',
          ),
        )
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Consumer lag')
        .description('Events of payments.events.v1 the group has not committed yet.')
        .datasource(PROMETHEUS)
        .withTarget(promql(`max by (plugin) (${LAG}{plugin=~"$plugin"})`, '{{plugin}}'))
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Dead letters waiting for a redrive')
        .datasource(PROMETHEUS)
        .withTarget(promql(`max by (plugin) (${DLQ}{plugin=~"$plugin"})`, '{{plugin}}'))
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Consumers started anew after a Kafka outage')
        .description(
          'kafkajs stops a consumer for good when no broker can coordinate its group for long; the bus starts a new one (1 s, doubling to 30 s).',
        )
        .datasource(PROMETHEUS)
        .withTarget(promql(`sum by (plugin) (increase(${RESTARTS}{plugin=~"$plugin"}${RATE}))`, '{{plugin}}'))
        .span(12),
    )
    .withRow(new RowBuilder('Plugin output'))
    .withPanel(
      new TimeseriesPanel()
        .title('Ledger entries posted by currency')
        .datasource(PROMETHEUS)
        .unit('ops')
        .withTarget(promql(`sum by (currency) (rate(${LEDGER}${RATE}))`, '{{currency}}'))
        .span(12),
    )
    .withPanel(
      new TimeseriesPanel()
        .title('Alerts fired by the alerting plugin')
        .datasource(PROMETHEUS)
        .withTarget(
          promql(`sum by (alertname, severity) (increase(${ALERTS}${RATE}))`, '{{alertname}} ({{severity}})'),
        )
        .span(12),
    );
}
