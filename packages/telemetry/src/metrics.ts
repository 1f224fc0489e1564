import { Counter, type Gauge, Histogram, type Registry } from 'prom-client';
import {
  LABEL_CATEGORY,
  LABEL_CODE,
  LABEL_OPERATION,
  LABEL_REASON,
  METRIC_HTTP_REQUESTS_TOTAL,
  METRIC_NOTIFICATIONS_REJECTED_TOTAL,
  METRIC_UPSTREAM_REQUEST_DURATION_SECONDS,
  METRIC_UPSTREAM_REQUESTS_TOTAL,
  UPSTREAM_DURATION_BUCKETS,
} from './semconv.js';

/**
 * Returns the metric of that name already on the registry, or registers a new one. In the
 * all-in-one every component shares one registry, so two components (or two servers in a test)
 * asking for the same metric must get the same instance instead of a "already registered" error.
 */
export function getOrCreate<T extends Counter | Histogram | Gauge>(
  registry: Registry,
  name: string,
  create: () => T,
): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The label `code` takes when the upstream gave no code at all (timeout, network, bad answer). */
export const NO_CODE = 'none';

export interface UpstreamMetrics {
  /** One call: one counter increment and one histogram observation. */
  observe(call: { operation: string; code: string; category: string; seconds: number }): void;
}

/** The upstream call counter and latency histogram, on the given registry. */
export function upstreamMetrics(registry: Registry): UpstreamMetrics {
  const total = getOrCreate(
    registry,
    METRIC_UPSTREAM_REQUESTS_TOTAL,
    () =>
      new Counter({
        name: METRIC_UPSTREAM_REQUESTS_TOTAL,
        help: 'Calls to the upstream aggregator, by operation, status code and category',
        labelNames: [LABEL_OPERATION, LABEL_CODE, LABEL_CATEGORY],
        registers: [registry],
      }),
  );
  const duration = getOrCreate(
    registry,
    METRIC_UPSTREAM_REQUEST_DURATION_SECONDS,
    () =>
      new Histogram({
        name: METRIC_UPSTREAM_REQUEST_DURATION_SECONDS,
        help: 'Latency of upstream aggregator calls in seconds, by operation and status code',
        labelNames: [LABEL_OPERATION, LABEL_CODE],
        buckets: [...UPSTREAM_DURATION_BUCKETS],
        registers: [registry],
      }),
  );
  return {
    observe({ operation, code, category, seconds }) {
      total.inc({ operation, code, category });
      duration.observe({ operation, code }, seconds);
    },
  };
}

/** Inbound HTTP requests, by route template, method and status. */
export function httpRequestsCounter(registry: Registry): Counter<'route' | 'method' | 'status'> {
  return getOrCreate(
    registry,
    METRIC_HTTP_REQUESTS_TOTAL,
    () =>
      new Counter({
        name: METRIC_HTTP_REQUESTS_TOTAL,
        help: 'HTTP requests answered by the gateway, by route, method and status',
        labelNames: ['route', 'method', 'status'],
        registers: [registry],
      }),
  );
}

/** Notify callbacks refused before anything was recorded, by reason. */
export function notificationsRejectedCounter(registry: Registry): Counter<typeof LABEL_REASON> {
  return getOrCreate(
    registry,
    METRIC_NOTIFICATIONS_REJECTED_TOTAL,
    () =>
      new Counter({
        name: METRIC_NOTIFICATIONS_REJECTED_TOTAL,
        help: 'Upstream notify callbacks refused (forged signature, clock skew, replay, malformed)',
        labelNames: [LABEL_REASON],
        registers: [registry],
      }),
  );
}
