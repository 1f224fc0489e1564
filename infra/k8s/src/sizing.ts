// Requests and limits from `make bench` (docs/benchmarks.md, the run of 2026-11-26 on 2 shared
// vCPUs), and how the autoscalers read them. The figures are rough guides: measure on the cluster.
//
// Gateway. CPU per create: 824 µs on SQLite, 1,646 µs on PostgreSQL (case 4), 1,080 µs with
// telemetry exporting (case 5): one core carries about 600 creates/s on PostgreSQL. Peak RSS under
// load: 194.5 MB (cases 1 and 3), 255.4 MB with telemetry on (case 5), with
// --max-old-space-size=512 (operations.md, "Memory"). Request half a core: the HPA's 70 % target
// (350m) is ~210 creates/s per pod before another starts. The memory limit sits above V8's heap cap
// plus semi-spaces and native memory, so a heap that outgrows it stops with V8's own
// "heap out of memory" rather than the kernel's OOM kill.
//
// Plugin host (the ledger on PostgreSQL): 5,736 events/s on the two cores it shared with Kafka and
// PostgreSQL (case 6), 4,693 events/s for two hosts on two partitions (case 9); peak RSS 182.5 MB
// with --max-old-space-size=256. KEDA scales it on consumer lag, not CPU.
import type { IIoK8sApiCoreV1ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';

export const GATEWAY_RESOURCES: IIoK8sApiCoreV1ResourceRequirements = {
  requests: { cpu: '500m', memory: '320Mi' },
  limits: { cpu: '2', memory: '768Mi' },
};

export const PLUGIN_HOST_RESOURCES: IIoK8sApiCoreV1ResourceRequirements = {
  requests: { cpu: '500m', memory: '256Mi' },
  limits: { cpu: '2', memory: '512Mi' },
};

/** The gateway's HPA: average CPU against the request. */
export const GATEWAY_SCALING = { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70 } as const;

/** KEDA: events a plugin's group may be behind per host before another host starts. */
export const LAG_PER_HOST = 1_000;
