// The configuration the processes read: the environment both share (a ConfigMap, every value
// stated even where it is the default, so the retention settings are visible where they apply),
// the plugin host's plugin list and the alerting plugin's rules (ConfigMaps mounted as files).
// Secrets are never here: the workloads reference them by name (NAMES.secrets).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@paystream/config';
import { REPO_ROOT } from '@paystream/runbooks';
import { ConfigMap } from 'kubernetes-models/v1';
import { type ClusterSettings, NAMES } from './settings.js';

/** The plugins the plugin host runs (the file PLUGIN_HOST_CONFIG names). */
export const PLUGINS = [
  { package: '@paystream/accounting', options: {} },
  { package: '@paystream/alerting', options: {} },
] as const;

/** The consumer group of each plugin (the host names them `paystream.plugin.<id>`). */
export const PLUGIN_GROUPS = ['paystream.plugin.accounting', 'paystream.plugin.alerting'] as const;

/** Where the plugin list is mounted: plugins resolve from its folder, and services/allinone depends on each shipped plugin. */
export const PLUGINS_DIR = '/app/services/allinone/k8s-plugins';
export const PLUGINS_FILE = 'plugins.json';
export const ALERT_RULES_DIR = '/etc/paystream/alert-rules';
export const ALERT_RULES_FILE = 'rules.yaml';

export function labels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'paystream' };
}

/** The environment of every process, as strings (ConfigMap data). */
export function sharedEnvironment(s: ClusterSettings): Record<string, string> {
  // Validated as the processes will read it, so a wrong value fails here, not in the pods.
  const env: Record<string, string> = {
    HOST: '0.0.0.0',
    LOG_LEVEL: 'info',
    KAFKA_BROKERS: s.kafkaBrokers,
    KAFKA_TOPIC_PARTITIONS: String(s.partitions),
    KAFKA_TOPIC_REPLICATION_FACTOR: String(s.replicationFactor),
    KAFKA_TOPIC_RETENTION_MS: String(s.topicRetentionMs),
    UPSTREAM_BASE_URL: s.upstreamBaseUrl,
    PUBLIC_BASE_URL: `https://${s.publicHost}`,
    SHUTDOWN_TIMEOUT_MS: String(s.shutdownTimeoutMs),
    ALERTMANAGER_URL: s.alertmanagerUrl,
    ALERT_RULES_FILE: `${ALERT_RULES_DIR}/${ALERT_RULES_FILE}`,
    ...(s.runbookBaseUrl ? { PAYSTREAM_RUNBOOK_BASE_URL: s.runbookBaseUrl } : {}),
  };
  const { retention } = loadConfig({
    ...env,
    UPSTREAM_USER_CONFIRM_KEY: 'validated-elsewhere',
    UPSTREAM_PRIVATE_KEY: 'validated-elsewhere',
  });
  return {
    ...env,
    OUTBOX_SENT_RETENTION_MS: String(retention.sentOutboxMs),
    PROCESSED_EVENTS_RETENTION_MS: String(retention.processedEventsMs),
    IDEMPOTENCY_KEY_RETENTION_MS: String(retention.idempotencyKeysMs),
    PRUNE_INTERVAL_MS: String(retention.pruneIntervalMs),
    PRUNE_BATCH_SIZE: String(retention.pruneBatchSize),
    PRUNE_PAUSE_MS: String(retention.prunePauseMs),
  };
}

export function configMaps(s: ClusterSettings) {
  const meta = (name: string) => ({ name, namespace: s.namespace, labels: labels('paystream') });
  return [
    new ConfigMap({ metadata: meta(NAMES.config), data: sharedEnvironment(s) }),
    new ConfigMap({
      metadata: meta(NAMES.plugins),
      data: { [PLUGINS_FILE]: `${JSON.stringify({ plugins: PLUGINS }, null, 2)}\n` },
    }),
    new ConfigMap({
      metadata: meta(NAMES.alertRules),
      // The shipped rules as they are: edit this ConfigMap (or its source) to change them.
      data: {
        [ALERT_RULES_FILE]: readFileSync(join(REPO_ROOT, 'plugins/alerting/rules/default.yaml'), 'utf8'),
      },
    }),
  ];
}
