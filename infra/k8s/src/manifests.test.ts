// The manifests validate against the Kubernetes (and CRD) schemas, match the committed YAML, and
// hold what a deployment relies on: probes, grace above the drain, autoscaling bounds, pod security,
// Secrets only by reference, the rules and dashboards as committed, runbook links that resolve.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@paystream/config';
import { linkProblem, REPO_ROOT } from '@paystream/runbooks';
import { Deployment } from 'kubernetes-models/apps/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  clusterSettings,
  type Manifest,
  manifestFiles,
  manifests,
  NAMES,
  NOTIFY_PATH,
  PLUGIN_GROUPS,
  PLUGINS,
  PRE_STOP_SECONDS,
} from './index.js';

const dir = join(import.meta.dirname, '..', 'manifests');
const settings = clusterSettings({});
const all = Object.values(manifests(settings)).flat();
// biome-ignore lint/suspicious/noExplicitAny: manifests read as plain data.
const json = (m: Manifest) => JSON.parse(JSON.stringify(m.toJSON())) as any;
const find = (kind: string, name: string) => {
  const m = all.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!m) throw new Error(`no ${kind} ${name}`);
  return json(m);
};
const configData = () => find('ConfigMap', NAMES.config).data as Record<string, string>;
// biome-ignore lint/suspicious/noExplicitAny: see json.
const podOf = (name: string) => find('Deployment', name).spec.template.spec as any;

describe('manifests', () => {
  it('match the committed YAML (run `pnpm --filter @paystream/k8s generate` after an edit)', () => {
    const files = manifestFiles(settings);
    expect(readdirSync(dir).sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(readFileSync(join(dir, name), 'utf8'), name).toBe(text);
    // The YAML reads back as the objects.
    const docs = [...files]
      .filter(([name]) => name !== 'kustomization.yaml')
      .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJSON()));
    expect(docs).toEqual(all.map(json));
  });

  it("every object validates against its schema (kubernetes-models' validate), and a broken one does not", () => {
    expect(all.map((o) => o.kind).sort()).toEqual(
      [
        'ConfigMap',
        'ConfigMap',
        'ConfigMap',
        'ConfigMap',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'Namespace',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PrometheusRule',
        'ScaledObject',
        'Service',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
        'ServiceMonitor',
      ].sort(),
    );
    for (const o of all) expect(() => o.validate(), `${o.kind} ${o.metadata?.name}`).not.toThrow();
    const broken = new Deployment({
      metadata: { name: 'x' },
      spec: { replicas: 'two' as never, selector: {}, template: {} },
    });
    expect(() => broken.validate()).toThrow();
  });

  it('gateway: two or more replicas, probes on /healthz and /readyz, grace above SHUTDOWN_TIMEOUT_MS, PDB, HPA on CPU', () => {
    const deployment = find('Deployment', NAMES.gateway);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = podOf(NAMES.gateway);
    const [c] = pod.containers;
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.lifecycle.preStop).toEqual({ sleep: { seconds: PRE_STOP_SECONDS } });
    const shutdownMs = Number(configData().SHUTDOWN_TIMEOUT_MS);
    expect(shutdownMs).toBe(26_000);
    expect(pod.terminationGracePeriodSeconds).toBe(36);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(PRE_STOP_SECONDS + shutdownMs / 1000);
    // As its start script runs it (memory settings, telemetry preload).
    expect(c.workingDir).toBe('/app/services/gateway');
    expect(c.command).toEqual([
      'node',
      '--max-semi-space-size=8',
      '--max-old-space-size=512',
      '--import',
      '@paystream/telemetry/register',
      'dist/main.js',
    ]);
    expect(c.env).toContainEqual({ name: 'MALLOC_ARENA_MAX', value: '2' });
    expect(c.resources).toEqual({
      requests: { cpu: '500m', memory: '320Mi' },
      limits: { cpu: '2', memory: '768Mi' },
    });
    expect(find('PodDisruptionBudget', NAMES.gateway).spec.maxUnavailable).toBe(1);
    const hpa = find('HorizontalPodAutoscaler', NAMES.gateway).spec;
    expect(hpa).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(hpa.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
  });

  it("plugin host: KEDA on every plugin's consumer lag, never more hosts than the topic's partitions", () => {
    const scaled = find('ScaledObject', NAMES.pluginHost).spec;
    expect(scaled.scaleTargetRef).toEqual({ name: NAMES.pluginHost });
    expect(scaled.maxReplicaCount).toBe(Number(configData().KAFKA_TOPIC_PARTITIONS));
    expect(scaled.maxReplicaCount).toBe(6);
    expect(
      scaled.triggers.map((t: { metadata: { consumerGroup: string } }) => t.metadata.consumerGroup),
    ).toEqual(PLUGIN_GROUPS);
    for (const t of scaled.triggers)
      expect(t).toMatchObject({
        type: 'kafka',
        metadata: {
          topic: 'payments.events.v1',
          allowIdleConsumers: 'false',
          bootstrapServers: settings.kafkaBrokers,
        },
      });
    // The groups are those of the plugins the host is configured with.
    const listed = JSON.parse(find('ConfigMap', NAMES.plugins).data['plugins.json']).plugins;
    expect(listed).toEqual(PLUGINS);
    expect(PLUGIN_GROUPS).toEqual(
      listed.map((p: { package: string }) => `paystream.plugin.${p.package.replace('@paystream/', '')}`),
    );
    const [c] = podOf(NAMES.pluginHost).containers;
    expect(c.command).toEqual([
      'node',
      '--max-semi-space-size=8',
      '--max-old-space-size=256',
      'dist/main.js',
    ]);
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.env).toContainEqual({
      name: 'PLUGIN_HOST_CONFIG',
      value: '/app/services/allinone/k8s-plugins/plugins.json',
    });
  });

  it('pods: non-root, read-only root filesystem, every capability dropped, RuntimeDefault seccomp', () => {
    expect(find('Namespace', 'paystream').metadata.labels['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
    for (const name of [NAMES.gateway, NAMES.pluginHost]) {
      const pod = podOf(name);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers)
        expect(c.securityContext).toEqual({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
    }
  });

  it('references Secrets, never holds one, and the shared ConfigMap is a valid environment without credentials', () => {
    expect(all.some((o) => o.kind === 'Secret')).toBe(false);
    const refs = new Set<string>();
    for (const name of [NAMES.gateway, NAMES.pluginHost])
      for (const e of podOf(name).containers[0].env)
        if (e.valueFrom) refs.add(`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
    expect([...refs].sort()).toEqual([
      'paystream-api-keys/api-keys.json',
      'paystream-database/gateway-url',
      'paystream-database/plugins-url',
      'paystream-upstream/private-key',
      'paystream-upstream/user-confirm-key',
    ]);
    const data = configData();
    for (const secret of [
      'UPSTREAM_PRIVATE_KEY',
      'UPSTREAM_USER_CONFIRM_KEY',
      'PAYSTREAM_API_KEYS',
      'DATABASE_URL',
    ])
      expect(data).not.toHaveProperty(secret);
    const config = loadConfig({ ...data, UPSTREAM_USER_CONFIRM_KEY: 'k', UPSTREAM_PRIVATE_KEY: 'k' });
    expect(config.retention).toEqual({
      sentOutboxMs: 3_600_000,
      processedEventsMs: 691_200_000,
      idempotencyKeysMs: 86_400_000,
      pruneIntervalMs: 60_000,
      pruneBatchSize: 1_000,
      prunePauseMs: 100,
    });
  });

  it('the PrometheusRule holds the rules file, the dashboards ConfigMap the committed dashboards', () => {
    const rules = parse(readFileSync(join(REPO_ROOT, 'infra/prometheus/rules/paystream.rules.yml'), 'utf8'));
    expect(find('PrometheusRule', 'paystream').spec.groups).toEqual(rules.groups);
    const cm = find('ConfigMap', NAMES.dashboards);
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const dashboards = join(REPO_ROOT, 'infra/grafana/dashboards');
    for (const f of readdirSync(dashboards))
      expect(cm.data[f], f).toBe(readFileSync(join(dashboards, f), 'utf8'));
    expect(find('ServiceMonitor', NAMES.gateway).spec).toMatchObject({
      jobLabel: 'paystream.dev/job',
      endpoints: [{ port: 'http', path: '/metrics' }],
    });
    expect(find('Service', NAMES.gateway).metadata.labels['paystream.dev/job']).toBe('paystream');
  });

  it('with a base URL, every runbook link of the rules and dashboards starts with it and resolves', () => {
    const base = 'https://git.example/paystream/-/blob/main/';
    const based = Object.values(manifests(clusterSettings({ PAYSTREAM_RUNBOOK_BASE_URL: base })))
      .flat()
      .map(json);
    const rule = based.find((o) => o.kind === 'PrometheusRule');
    const links: string[] = rule.spec.groups.flatMap(
      (g: { rules: { annotations?: { runbook_url?: string } }[] }) =>
        g.rules.flatMap((r) => (r.annotations?.runbook_url ? [r.annotations.runbook_url] : [])),
    );
    expect(links).toHaveLength(10);
    expect(links).toContain(`${base}docs/runbooks/64.md`);
    const categories = ['system', 'balance', 'unknown'];
    const expanded = links.flatMap((l) =>
      l.includes('{{') ? categories.map((c) => l.replace('{{ $labels.category }}', c)) : [l],
    );
    expect(expanded.map((l) => linkProblem(l, REPO_ROOT, base)).filter(Boolean)).toEqual([]);
    const cm = based.find((o) => o.kind === 'ConfigMap' && o.metadata.name === NAMES.dashboards);
    const statusCodes = JSON.parse(cm.data['status-codes.json']);
    expect(statusCodes.templating.list.find((v: { name: string }) => v.name === 'runbook_base').query).toBe(
      base,
    );
    expect(linkProblem(`${base}docs/runbooks/-99.md`, REPO_ROOT, base)).toBeUndefined();
  });

  it('network: ingress denied unless allowed; the aggregator reaches only the notify route', () => {
    const policies = all.filter((o) => o.kind === 'NetworkPolicy').map(json);
    expect(policies.find((p) => p.metadata.name === 'paystream-default-deny-ingress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
    });
    const ingress = find('Ingress', 'paystream-notify');
    expect(ingress.spec.rules).toEqual([
      {
        host: settings.publicHost,
        http: {
          paths: [
            {
              path: NOTIFY_PATH,
              pathType: 'Exact',
              backend: { service: { name: NAMES.gateway, port: { name: 'http' } } },
            },
          ],
        },
      },
    ]);
    expect(configData().PUBLIC_BASE_URL).toBe(`https://${settings.publicHost}`);
  });
});
