// What differs from one cluster to another. The committed manifests are generated with these
// defaults (placeholders under .example where only the cluster knows the value); a deployment edits
// them here, or patches the manifests with kustomize (manifests/kustomization.yaml lists them).
// Two variables are read when generating, so a pipeline can set them without an edit:
// PAYSTREAM_IMAGE and PAYSTREAM_RUNBOOK_BASE_URL.
import { loadConfig, worstCaseRequestMs } from '@paystream/config';

export interface ClusterSettings {
  namespace: string;
  /**
   * The image every process runs: the built repository at /app, as infra/docker-compose.yml runs
   * it (images are built elsewhere). PAYSTREAM_IMAGE.
   */
  image: string;
  /** Where docs/ is published: runbook links start with it (PAYSTREAM_RUNBOOK_BASE_URL); unset = repository paths. */
  runbookBaseUrl: string | undefined;
  /** The Kafka bootstrap servers (`host:port,...`). */
  kafkaBrokers: string;
  /** Partitions of payments.events.v1: the most plugin hosts that can share its work. */
  partitions: number;
  /** Hours payments.events.v1 keeps a record, and so the least the processed ids are kept. */
  topicRetentionMs: number;
  replicationFactor: number;
  /** The aggregator's API. */
  upstreamBaseUrl: string;
  /** The host the aggregator posts notify callbacks to (the Ingress of the notify route). */
  publicHost: string;
  /** The IngressClass that serves `publicHost`, and the namespace its controller runs in. */
  ingressClass: string;
  ingressNamespace: string;
  /** The aggregator's addresses, as CIDRs: only they may reach the notify route (empty = anyone). */
  aggregatorSourceRanges: readonly string[];
  /** Where Prometheus runs (it scrapes /metrics) and the labels its operator selects rules and monitors by. */
  monitoringNamespace: string;
  monitoringLabels: Readonly<Record<string, string>>;
  alertmanagerUrl: string;
  /** Grafana's dashboard sidecar: the label it watches ConfigMaps for, and the folder annotation. */
  grafanaDashboardLabel: string;
  grafanaFolder: string;
  /** The label a namespace or pod carries to be allowed to call the API (internal callers). */
  callerLabel: string;
  /** SHUTDOWN_TIMEOUT_MS: the default lets the slowest request finish and the outbox flush. */
  shutdownTimeoutMs: number;
}

const defaults = loadConfig({});

/** The settings the committed manifests are generated with. */
export function clusterSettings(env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  return {
    namespace: 'paystream',
    image: env.PAYSTREAM_IMAGE || 'registry.example/paystream:0.1.0',
    runbookBaseUrl: env.PAYSTREAM_RUNBOOK_BASE_URL || undefined,
    kafkaBrokers: 'kafka-bootstrap.kafka.svc:9092',
    partitions: defaults.kafkaTopic.partitions,
    topicRetentionMs: defaults.kafkaTopic.retentionMs,
    replicationFactor: 3,
    upstreamBaseUrl: 'https://aggregator.example',
    publicHost: 'paystream-notify.example.com',
    ingressClass: 'nginx',
    ingressNamespace: 'ingress-nginx',
    aggregatorSourceRanges: [],
    monitoringNamespace: 'monitoring',
    monitoringLabels: { release: 'kube-prometheus-stack' },
    alertmanagerUrl: 'http://alertmanager-operated.monitoring.svc:9093',
    grafanaDashboardLabel: 'grafana_dashboard',
    grafanaFolder: 'Paystream',
    callerLabel: 'paystream.dev/caller',
    shutdownTimeoutMs: worstCaseRequestMs(defaults.upstream.timeoutMs) + 5_000,
  };
}

/** The names every manifest shares. */
export const NAMES = {
  gateway: 'paystream-gateway',
  pluginHost: 'paystream-plugin-host',
  config: 'paystream-config',
  plugins: 'paystream-plugins',
  alertRules: 'paystream-alert-rules',
  dashboards: 'paystream-dashboards',
  serviceAccount: 'paystream',
  /** Secrets: referenced by the manifests, created by the operator (docs/deploying.md). */
  secrets: {
    upstream: 'paystream-upstream',
    apiKeys: 'paystream-api-keys',
    database: 'paystream-database',
  },
} as const;

/** Seconds a pod's preStop hook waits, so Services stop routing to it before it gets SIGTERM. */
export const PRE_STOP_SECONDS = 5;

/** Seconds between SIGTERM and SIGKILL: the preStop wait, the whole drain, and a margin. */
export function terminationGraceSeconds(s: ClusterSettings): number {
  return PRE_STOP_SECONDS + Math.ceil(s.shutdownTimeoutMs / 1000) + 5;
}
