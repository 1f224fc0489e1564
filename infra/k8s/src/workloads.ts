// The processes: gateways (a Deployment of two or more, a PodDisruptionBudget, CPU autoscaling) and
// plugin hosts (a Deployment KEDA scales on the plugins' consumer lag, never past the topic's
// partitions), each behind a Service. Pods run as the `restricted` Pod Security Standard asks:
// non-root, read-only root filesystem, every capability dropped, the RuntimeDefault seccomp profile.
//
// Migrations run on start, as they always have: every gateway and plugin host migrates its own
// tables to the latest before it listens (packages/db, migrateToLatest), and on PostgreSQL Kysely's
// migrator holds an advisory lock for it, so of the pods a rollout starts one migrates and the
// others wait, then find nothing to do. No Job: the startup probe gives a migration five minutes.

import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { EVENTS_TOPIC } from '@paystream/events';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1EnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IIoK8sApiCoreV1PodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IIoK8sApiCoreV1Probe } from 'kubernetes-models/v1/Probe';
import { ALERT_RULES_DIR, labels, PLUGIN_GROUPS, PLUGINS_DIR, PLUGINS_FILE } from './config.js';
import { type ClusterSettings, NAMES, PRE_STOP_SECONDS, terminationGraceSeconds } from './settings.js';
import { GATEWAY_RESOURCES, GATEWAY_SCALING, LAG_PER_HOST, PLUGIN_HOST_RESOURCES } from './sizing.js';
import { startCommand } from './start-command.js';

/** The label the Service carries for the ServiceMonitor's job name (the rules read `job="paystream"`). */
export const JOB_LABEL = 'paystream.dev/job';

const UID = 1000;

const secret = (name: string, key: string): IIoK8sApiCoreV1EnvVar['valueFrom'] => ({
  secretKeyRef: { name, key },
});

/** Credentials of the aggregator, from their Secret. */
const upstreamEnv = (): IIoK8sApiCoreV1EnvVar[] => [
  { name: 'UPSTREAM_USER_CONFIRM_KEY', valueFrom: secret(NAMES.secrets.upstream, 'user-confirm-key') },
  { name: 'UPSTREAM_PRIVATE_KEY', valueFrom: secret(NAMES.secrets.upstream, 'private-key') },
  { name: 'PAYSTREAM_API_KEYS', valueFrom: secret(NAMES.secrets.apiKeys, 'api-keys.json') },
];

/** The pod around one service's container. */
function podSpec(
  s: ClusterSettings,
  container: IIoK8sApiCoreV1Container,
  extraVolumes: IIoK8sApiCoreV1PodSpec['volumes'] = [],
): IIoK8sApiCoreV1PodSpec {
  return {
    serviceAccountName: NAMES.serviceAccount,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: terminationGraceSeconds(s),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: UID,
      runAsGroup: UID,
      fsGroup: UID,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [container],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, ...(extraVolumes ?? [])],
  };
}

/**
 * The container of a service: its start script, probes on /healthz and /readyz, the shared
 * environment, its port (and the variable that sets it), then its own variables, its database's URL
 * (key `database` of the database Secret) and the aggregator's credentials.
 */
function container(
  s: ClusterSettings,
  o: {
    name: string;
    packageDir: string;
    port: { variable: string; number: number };
    env?: IIoK8sApiCoreV1EnvVar[];
    database: string;
    resources: IIoK8sApiCoreV1Container['resources'];
    mounts?: IIoK8sApiCoreV1Container['volumeMounts'];
  },
): IIoK8sApiCoreV1Container {
  const start = startCommand(o.packageDir);
  const get = (path: string) => ({ httpGet: { path, port: 'http' } });
  const startupProbe: IIoK8sApiCoreV1Probe = { ...get('/healthz'), periodSeconds: 2, failureThreshold: 150 };
  return {
    name: o.name,
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    workingDir: start.workingDir,
    command: start.command,
    ports: [{ name: 'http', containerPort: o.port.number, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: NAMES.config } }],
    env: [
      ...Object.entries(start.env).map(([name, value]) => ({ name, value })),
      { name: 'OTEL_SERVICE_NAME', value: o.name },
      { name: o.port.variable, value: String(o.port.number) },
      ...(o.env ?? []),
      { name: 'DATABASE_URL', valueFrom: secret(NAMES.secrets.database, o.database) },
      ...upstreamEnv(),
    ],
    resources: o.resources,
    // Listening means migrated: the server starts after the migrations (up to five minutes here).
    startupProbe,
    readinessProbe: { ...get('/readyz'), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 },
    livenessProbe: { ...get('/healthz'), periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    // Endpoints drop the pod while it waits; then SIGTERM starts the drain (SHUTDOWN_TIMEOUT_MS).
    lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(o.mounts ?? [])],
  };
}

/** The ClusterIP Service in front of a workload's pods, on `port`; `job` names its Prometheus job. */
function clusterService(meta: { name: string; namespace: string }, job: string, port: number) {
  return new Service({
    metadata: { ...meta, labels: { ...labels(meta.name), [JOB_LABEL]: job } },
    spec: {
      type: 'ClusterIP',
      selector: labels(meta.name),
      ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
    },
  });
}

export function namespace(s: ClusterSettings) {
  return new Namespace({
    metadata: {
      name: s.namespace,
      labels: {
        'app.kubernetes.io/part-of': 'paystream',
        // The API server refuses any pod that does not meet the restricted standard.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
}

export function serviceAccount(s: ClusterSettings) {
  return new ServiceAccount({
    metadata: { name: NAMES.serviceAccount, namespace: s.namespace, labels: labels('paystream') },
    // Nothing here talks to the Kubernetes API.
    automountServiceAccountToken: false,
  });
}

export function gateway(s: ClusterSettings) {
  const meta = { name: NAMES.gateway, namespace: s.namespace, labels: labels(NAMES.gateway) };
  const selector = { matchLabels: labels(NAMES.gateway) };
  const c = container(s, {
    name: NAMES.gateway,
    packageDir: 'services/gateway',
    port: { variable: 'PORT', number: 8080 },
    database: 'gateway-url',
    resources: GATEWAY_RESOURCES,
  });
  return [
    new Deployment({
      metadata: meta,
      spec: {
        replicas: GATEWAY_SCALING.minReplicas,
        revisionHistoryLimit: 10,
        selector,
        // A new pod is ready before an old one goes: capacity never drops during a rollout.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: labels(NAMES.gateway) },
          spec: {
            ...podSpec(s, c),
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: selector,
              },
            ],
          },
        },
      },
    }),
    clusterService(meta, 'paystream', 80),
    new PodDisruptionBudget({ metadata: meta, spec: { maxUnavailable: 1, selector } }),
    new HorizontalPodAutoscaler({
      metadata: meta,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: NAMES.gateway },
        minReplicas: GATEWAY_SCALING.minReplicas,
        maxReplicas: GATEWAY_SCALING.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: GATEWAY_SCALING.cpuUtilization },
            },
          },
        ],
        // Scale down slowly: a drained pod's in-flight requests and outbox flush take their time.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    }),
  ];
}

export function pluginHost(s: ClusterSettings) {
  const meta = { name: NAMES.pluginHost, namespace: s.namespace, labels: labels(NAMES.pluginHost) };
  const selector = { matchLabels: labels(NAMES.pluginHost) };
  const start = startCommand('services/plugin-host');
  const c = container(s, {
    name: NAMES.pluginHost,
    packageDir: 'services/plugin-host',
    port: { variable: 'PLUGIN_HOST_PORT', number: 8090 },
    env: [{ name: 'PLUGIN_HOST_CONFIG', value: `${PLUGINS_DIR}/${PLUGINS_FILE}` }],
    database: 'plugins-url',
    resources: PLUGIN_HOST_RESOURCES,
    mounts: [
      { name: 'plugins', mountPath: PLUGINS_DIR, readOnly: true },
      { name: 'alert-rules', mountPath: ALERT_RULES_DIR, readOnly: true },
      // Plugins' data folders (.data/plugins under the working directory): scratch only.
      { name: 'data', mountPath: `${start.workingDir}/.data` },
    ],
  });
  return [
    new Deployment({
      metadata: meta,
      spec: {
        // KEDA sets the count from here on (the ScaledObject below).
        replicas: 1,
        revisionHistoryLimit: 10,
        selector,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: labels(NAMES.pluginHost) },
          spec: podSpec(s, c, [
            { name: 'plugins', configMap: { name: NAMES.plugins } },
            { name: 'alert-rules', configMap: { name: NAMES.alertRules } },
            { name: 'data', emptyDir: { sizeLimit: '256Mi' } },
          ]),
        },
      },
    }),
    clusterService(meta, 'paystream-plugin-host', 8090),
    new ScaledObject({
      metadata: meta,
      spec: {
        scaleTargetRef: { name: NAMES.pluginHost },
        minReplicaCount: 1,
        // One partition is read by one host of a group: hosts beyond the partitions would idle.
        maxReplicaCount: s.partitions,
        pollingInterval: 15,
        cooldownPeriod: 300,
        // One trigger per plugin's group: the most behind decides.
        triggers: PLUGIN_GROUPS.map((group) => ({
          type: 'kafka',
          name: group.replaceAll('.', '-'),
          metadata: {
            bootstrapServers: s.kafkaBrokers,
            consumerGroup: group,
            topic: EVENTS_TOPIC,
            lagThreshold: String(LAG_PER_HOST),
            // A group with no committed offset starts at the end (docs/architecture.md): so does its lag.
            offsetResetPolicy: 'latest',
            allowIdleConsumers: 'false',
          },
        })),
      },
    }),
  ];
}
