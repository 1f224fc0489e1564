// Who may reach the pods. Everything is refused unless a policy below allows it: internal callers
// (namespaces labelled `paystream.dev/caller: "true"`) reach the API and the plugin routes,
// Prometheus reaches /metrics, and the aggregator reaches only the notify route: through the
// Ingress, which exposes that one path (and, with `aggregatorSourceRanges`, only to its
// addresses), so from outside the cluster nothing else of the gateway is reachable. Egress is left
// to the cluster: the aggregator's addresses are not known here.
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IIoK8sApiNetworkingV1NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { labels } from './config.js';
import { type ClusterSettings, NAMES } from './settings.js';

/** The path the aggregator posts notify callbacks to (PUBLIC_BASE_URL + this). */
export const NOTIFY_PATH = '/v1/notifications/upstream';

const inNamespace = (name: string): IIoK8sApiNetworkingV1NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
});

export function networkPolicies(s: ClusterSettings) {
  const meta = (name: string) => ({ name, namespace: s.namespace, labels: labels('paystream') });
  const callers: IIoK8sApiNetworkingV1NetworkPolicyPeer = {
    namespaceSelector: { matchLabels: { [s.callerLabel]: 'true' } },
  };
  const port = (n: number) => [{ protocol: 'TCP' as const, port: n }];
  return [
    new NetworkPolicy({
      metadata: meta('paystream-default-deny-ingress'),
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    }),
    new NetworkPolicy({
      metadata: meta('paystream-gateway-callers'),
      spec: {
        podSelector: { matchLabels: labels(NAMES.gateway) },
        policyTypes: ['Ingress'],
        ingress: [{ from: [callers], ports: port(8080) }],
      },
    }),
    new NetworkPolicy({
      // The aggregator's callbacks arrive through the ingress controller, which routes only the notify path.
      metadata: meta('paystream-gateway-notify'),
      spec: {
        podSelector: { matchLabels: labels(NAMES.gateway) },
        policyTypes: ['Ingress'],
        ingress: [{ from: [inNamespace(s.ingressNamespace)], ports: port(8080) }],
      },
    }),
    new NetworkPolicy({
      metadata: meta('paystream-plugin-host-callers'),
      spec: {
        podSelector: { matchLabels: labels(NAMES.pluginHost) },
        policyTypes: ['Ingress'],
        ingress: [{ from: [callers], ports: port(8090) }],
      },
    }),
    new NetworkPolicy({
      metadata: meta('paystream-scrape'),
      spec: {
        podSelector: {
          matchExpressions: [
            { key: 'app.kubernetes.io/name', operator: 'In', values: [NAMES.gateway, NAMES.pluginHost] },
          ],
        },
        policyTypes: ['Ingress'],
        ingress: [{ from: [inNamespace(s.monitoringNamespace)], ports: [...port(8080), ...port(8090)] }],
      },
    }),
  ];
}

export function notifyIngress(s: ClusterSettings) {
  return new Ingress({
    metadata: {
      name: 'paystream-notify',
      namespace: s.namespace,
      labels: labels(NAMES.gateway),
      ...(s.aggregatorSourceRanges.length > 0
        ? {
            annotations: {
              'nginx.ingress.kubernetes.io/whitelist-source-range': s.aggregatorSourceRanges.join(','),
            },
          }
        : {}),
    },
    spec: {
      ingressClassName: s.ingressClass,
      tls: [{ hosts: [s.publicHost], secretName: 'paystream-notify-tls' }],
      rules: [
        {
          host: s.publicHost,
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
      ],
    },
  });
}
