// Every metric, span and attribute name Paystream emits, in one place, so dashboards, alert rules
// and code cannot drift apart. Metric names and labels are a fixed interface: dashboards and alert
// rules outside this repository query them, so a rename breaks them silently.

/** Upstream calls, one increment per call, labelled with the code exactly as the appendix writes it. */
export const METRIC_UPSTREAM_REQUESTS_TOTAL = 'paystream_upstream_requests_total';
/** Upstream call latency histogram, by operation and code. */
export const METRIC_UPSTREAM_REQUEST_DURATION_SECONDS = 'paystream_upstream_request_duration_seconds';
/** Upstream calls waiting for a connection of the pool (saturation: raise UPSTREAM_CONNECTIONS). */
export const METRIC_UPSTREAM_POOL_QUEUED_REQUESTS = 'paystream_upstream_pool_queued_requests';
/** Open sockets of the upstream pool, by state (busy carrying a call, idle kept alive). */
export const METRIC_UPSTREAM_POOL_CONNECTIONS = 'paystream_upstream_pool_connections';
/** Events put on the bus (published to Kafka or the embedded log), by type. */
export const METRIC_EVENTS_PUBLISHED_TOTAL = 'paystream_events_published_total';
/** Events handled by plugins, by plugin, type and outcome (ok, retried, dead_lettered, duplicate). */
export const METRIC_PLUGIN_EVENTS_TOTAL = 'paystream_plugin_events_total';
/** Runs of events a plugin's batch handler refused, then delivered one by one, by plugin. */
export const METRIC_PLUGIN_BATCH_FALLBACKS_TOTAL = 'paystream_plugin_batch_fallbacks_total';
/** Kafka consumers stopped for good by kafkajs and started anew by the bus, by plugin. */
export const METRIC_PLUGIN_CONSUMER_RESTARTS_TOTAL = 'paystream_plugin_consumer_restarts_total';
/**
 * Rows written to an outbox and not yet published, by outbox table (`paystream_outbox`: the
 * gateway's events; `paystream_plugin_outbox`: what plugins publish).
 */
export const METRIC_OUTBOX_PENDING = 'paystream_outbox_pending';
/**
 * Rows a bounded table holds, by table (`paystream_outbox`, `paystream_plugin_outbox`,
 * `paystream_processed_events`, `gateway_idempotency`), counted after each pruning pass: what
 * retention keeps them to.
 */
export const METRIC_TABLE_ROWS = 'paystream_table_rows';
/** Rows deleted from a bounded table because they outlived its retention, by table. */
export const METRIC_TABLE_PRUNED_ROWS_TOTAL = 'paystream_table_pruned_rows_total';
/** Inbound HTTP requests to the gateway, by route, method and status. */
export const METRIC_HTTP_REQUESTS_TOTAL = 'paystream_http_requests_total';
/** Notify callbacks refused (forged signature, stale clock, replay), by reason. */
export const METRIC_NOTIFICATIONS_REJECTED_TOTAL = 'paystream_notifications_rejected_total';
/** Messages sent to a dead-letter topic, by group. */
export const METRIC_DEAD_LETTERS_TOTAL = 'paystream_dead_letters_total';

/** Messages a plugin's consumer group is behind the end of the log, by plugin (summed over partitions). */
export const METRIC_PLUGIN_CONSUMER_LAG = 'paystream_plugin_consumer_lag';
/** Dead letters of a plugin waiting for a redrive, by plugin. */
export const METRIC_PLUGIN_DEAD_LETTERS = 'paystream_plugin_dead_letters';
/** Journal entries the ledger committed, by currency. */
export const METRIC_LEDGER_ENTRIES_TOTAL = 'paystream_ledger_entries_total';
/** Ledger/upstream mismatches found by the last reconciliation run, by kind. */
export const METRIC_LEDGER_RECONCILIATION_MISMATCHES = 'paystream_ledger_reconciliation_mismatches';
/**
 * Differences in the latest day's daily reconciliation (orders of one Hong Kong day: the
 * aggregator, the gateway's events and the ledger compared), by kind.
 */
export const METRIC_RECONCILIATION_DIFFERENCES = 'paystream_reconciliation_differences';
/** Alerts raised by the alerting plugin, by alert name, severity and channel. */
export const METRIC_ALERTS_FIRED_TOTAL = 'paystream_alerts_fired_total';

/** Label names. */
export const LABEL_OPERATION = 'operation';
export const LABEL_CODE = 'code';
export const LABEL_CATEGORY = 'category';
export const LABEL_TYPE = 'type';
export const LABEL_PLUGIN = 'plugin';
export const LABEL_OUTCOME = 'outcome';
export const LABEL_GROUP = 'group';
export const LABEL_REASON = 'reason';
export const LABEL_CURRENCY = 'currency';
export const LABEL_KIND = 'kind';
export const LABEL_ALERTNAME = 'alertname';
export const LABEL_SEVERITY = 'severity';
export const LABEL_CHANNEL = 'channel';
export const LABEL_STATE = 'state';
/** The table of `paystream_outbox_pending`, `paystream_table_rows` and `paystream_table_pruned_rows_total`. */
export const LABEL_TABLE = 'table';

/** Upstream latency buckets in seconds: the aggregator answers in tens of ms, timeouts sit at 10 s. */
export const UPSTREAM_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
] as const;

/** Span attribute keys (Paystream's own namespace beside the OTel semantic conventions). */
export const ATTR_UPSTREAM_OPERATION = 'paystream.upstream.operation';
export const ATTR_UPSTREAM_CODE = 'paystream.upstream.code';
export const ATTR_UPSTREAM_CATEGORY = 'paystream.upstream.category';
export const ATTR_UPSTREAM_OUTCOME = 'paystream.upstream.outcome';
export const ATTR_OUT_TRADE_NO = 'paystream.out_trade_no';
export const ATTR_REFUND_NO = 'paystream.refund_no';
export const ATTR_EVENT_ID = 'paystream.event.id';
export const ATTR_EVENT_TYPE = 'paystream.event.type';
export const ATTR_PLUGIN = 'paystream.plugin';

/** The Kafka topic payment events travel on. */
export const EVENTS_TOPIC = 'payments.events.v1';
/** Span names follow `<operation> <destination>`. */
export const spanNames = {
  upstream: (operation: string) => `upstream ${operation}`,
  publish: (topic: string) => `publish ${topic}`,
  process: (topic: string) => `process ${topic}`,
} as const;

/** Upstream calls by wallet: the fixed counter keeps exactly its documented labels, this one adds the wallet. */
export const METRIC_UPSTREAM_WALLET_REQUESTS_TOTAL = 'paystream_upstream_wallet_requests_total';
export const LABEL_WALLET = 'wallet';
/** The value of a label whose input was outside its bounded set (an unknown code, wallet, route). */
export const UNKNOWN_LABEL_VALUE = 'unknown';
/** The exemplar label carrying the trace id on duration histograms (Grafana's exemplar link uses it). */
export const EXEMPLAR_TRACE_ID = 'trace_id';
export const ATTR_WALLET = 'paystream.wallet';
export const ATTR_CURRENCY = 'paystream.currency';
/** The plugin id of a consumer group `paystream.plugin.<id>`: the `plugin` label of plugin metrics. */
export const PLUGIN_GROUP_PREFIX = 'paystream.plugin.';
/** `paystream.plugin.accounting` → `accounting`; any other group name is kept as it is. */
export function pluginOfGroup(group: string): string {
  return group.startsWith(PLUGIN_GROUP_PREFIX) ? group.slice(PLUGIN_GROUP_PREFIX.length) : group;
}
/** One series per catalog code (value 1) carrying its category, severity and zh/en meaning, for dashboards. */
export const METRIC_UPSTREAM_CODE_INFO = 'paystream_upstream_code_info';
