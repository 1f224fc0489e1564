import { trace } from '@opentelemetry/api';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import {
  EXEMPLAR_TRACE_ID,
  LABEL_CATEGORY,
  LABEL_CODE,
  LABEL_OPERATION,
  LABEL_REASON,
  LABEL_STATE,
  LABEL_WALLET,
  METRIC_HTTP_REQUESTS_TOTAL,
  METRIC_NOTIFICATIONS_REJECTED_TOTAL,
  METRIC_UPSTREAM_CODE_INFO,
  METRIC_UPSTREAM_POOL_CONNECTIONS,
  METRIC_UPSTREAM_POOL_QUEUED_REQUESTS,
  METRIC_UPSTREAM_REQUEST_DURATION_SECONDS,
  METRIC_UPSTREAM_REQUESTS_TOTAL,
  METRIC_UPSTREAM_WALLET_REQUESTS_TOTAL,
  UNKNOWN_LABEL_VALUE,
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

/** One upstream call as the metrics see it. */
export interface UpstreamObservation {
  operation: string;
  code: string;
  category: string;
  /** The wallet of the order, when the call knows it. */
  wallet?: string | undefined;
  seconds: number;
}

export interface UpstreamMetrics {
  /** One call: one counter increment and one histogram observation (with the trace as exemplar). */
  observe(call: UpstreamObservation): void;
}

/** What keeps label values bounded: the catalog's codes and the wallets. */
export interface UpstreamLabelBounds {
  /** True for a code of the catalog; any other code is counted as `unknown`. */
  isKnownCode(code: string): boolean;
  /** True for a wallet Paystream knows; any other is counted as `unknown`. */
  isKnownWallet(wallet: string): boolean;

  /**
   * Series created at 0 when the metrics are set up: codes that page (64, 80) must exist before
   * their first occurrence, or `increase()` in the alert rule sees the first one as the start.
   */
  zeroSeries?: readonly { operation: string; code: string; category: string }[];
}

const ANY: UpstreamLabelBounds = { isKnownCode: () => true, isKnownWallet: () => true };

/** A catalog code as the info metric shows it. */
export interface CodeInfo {
  code: string;
  category: string;
  severity: string;
  messageZh: string;
  messageEn: string;
}

/**
 * `paystream_upstream_code_info{code,category,severity,message_zh,message_en} 1`, one series per
 * code (variants' messages joined with " | "): the status-code dashboard shows a code's meaning
 * from it. Bounded by the catalog.
 */
export function upstreamCodeInfo(registry: Registry, entries: readonly CodeInfo[]): void {
  if (registry.getSingleMetric(METRIC_UPSTREAM_CODE_INFO)) return;
  const gauge = new Gauge({
    name: METRIC_UPSTREAM_CODE_INFO,
    help: 'The upstream status-code catalog: category, severity and zh/en meaning of each code (value 1)',
    labelNames: [LABEL_CODE, LABEL_CATEGORY, 'severity', 'message_zh', 'message_en'],
    registers: [registry],
  });
  const byCode = new Map<string, CodeInfo[]>();
  for (const e of entries) byCode.set(e.code, [...(byCode.get(e.code) ?? []), e]);
  for (const [code, variants] of byCode) {
    const first = variants[0] as CodeInfo;
    const join = (k: 'messageZh' | 'messageEn') => [...new Set(variants.map((v) => v[k]))].join(' | ');
    gauge.set(
      {
        code,
        category: first.category,
        severity: first.severity,
        message_zh: join('messageZh'),
        message_en: join('messageEn'),
      },
      1,
    );
  }
}

/** The exemplar of the active sampled span, so a latency bucket links to one trace that landed in it. */
export function traceExemplar(): Record<string, string> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && (ctx.traceFlags & 1) === 1 ? { [EXEMPLAR_TRACE_ID]: ctx.traceId } : {};
}

/**
 * The upstream call counter, the per-wallet counter and the latency histogram, on the given registry.
 * Codes outside the catalog (and wallets outside the known set) become `unknown`, so a misbehaving
 * upstream cannot grow the label set without bound.
 */
export function upstreamMetrics(registry: Registry, bounds: UpstreamLabelBounds = ANY): UpstreamMetrics {
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
  const byWallet = getOrCreate(
    registry,
    METRIC_UPSTREAM_WALLET_REQUESTS_TOTAL,
    () =>
      new Counter({
        name: METRIC_UPSTREAM_WALLET_REQUESTS_TOTAL,
        help: 'Calls to the upstream aggregator, by operation, category and wallet',
        labelNames: [LABEL_OPERATION, LABEL_CATEGORY, LABEL_WALLET],
        registers: [registry],
      }),
  );
  const duration = getOrCreate(registry, METRIC_UPSTREAM_REQUEST_DURATION_SECONDS, () =>
    exemplarHistogram(registry, {
      name: METRIC_UPSTREAM_REQUEST_DURATION_SECONDS,
      help: 'Latency of upstream aggregator calls in seconds, by operation and status code',
      labelNames: [LABEL_OPERATION, LABEL_CODE],
      buckets: [...UPSTREAM_DURATION_BUCKETS],
    }),
  );
  for (const z of bounds.zeroSeries ?? []) total.inc(z, 0);
  return {
    observe({ operation, code, category, wallet, seconds }) {
      const boundedCode = code === NO_CODE || bounds.isKnownCode(code) ? code : UNKNOWN_LABEL_VALUE;
      const boundedWallet = wallet && bounds.isKnownWallet(wallet) ? wallet : UNKNOWN_LABEL_VALUE;
      total.inc({ operation, code: boundedCode, category });
      byWallet.inc({ operation, category, wallet: boundedWallet });
      observeWithExemplar(duration, { operation, code: boundedCode }, seconds);
    },
  };
}

/**
 * A histogram that keeps the trace id of an observation per bucket as exemplar. prom-client refuses
 * such a histogram on a Prometheus-format registry when it is constructed, although its text writer
 * simply leaves exemplars out in that format; the shared registry stays Prometheus-format (what a
 * plain scrape gets) and {@link exposition} writes OpenMetrics, with exemplars, when asked.
 */
export function exemplarHistogram<L extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames: readonly L[]; buckets: number[] },
): Histogram<L> {
  const histogram = new Histogram<L>({ ...config, enableExemplars: true, registers: [] });
  registry.registerMetric(histogram);
  return histogram;
}

/** Observes with the active trace as exemplar when the histogram was created with exemplars on. */
export function observeWithExemplar<L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  value: number,
): void {
  if ((histogram as unknown as { enableExemplars?: boolean }).enableExemplars) {
    const exemplarLabels = traceExemplar() as Partial<Record<L, string>>;
    histogram.observe({ labels, value, exemplarLabels });
  } else {
    histogram.observe(labels, value);
  }
}

/** The upstream connection pool as the gauges read it (the client's `poolStats()`). */
export interface UpstreamPoolReading {
  queued: number;
  busyConnections: number;
  idleConnections: number;
}

const poolReaders = new WeakMap<Registry, () => UpstreamPoolReading>();

/**
 * `paystream_upstream_pool_queued_requests` and `paystream_upstream_pool_connections{state}`, read
 * from `read` when Prometheus scrapes (no timer, nothing stale). One pool per registry: a later
 * call (a second gateway on a shared registry in tests) replaces the reader.
 */
export function upstreamPoolMetrics(registry: Registry, read: () => UpstreamPoolReading): void {
  poolReaders.set(registry, read);
  if (registry.getSingleMetric(METRIC_UPSTREAM_POOL_QUEUED_REQUESTS)) return;
  const reading = () =>
    poolReaders.get(registry)?.() ?? { queued: 0, busyConnections: 0, idleConnections: 0 };
  new Gauge({
    name: METRIC_UPSTREAM_POOL_QUEUED_REQUESTS,
    help: 'Upstream calls waiting for a connection of the pool (not yet sent); above 0 for long, the pool is too small',
    registers: [registry],
    collect() {
      this.set(reading().queued);
    },
  });
  new Gauge({
    name: METRIC_UPSTREAM_POOL_CONNECTIONS,
    help: 'Open connections of the upstream pool, by state: busy (carrying a call) or idle (kept alive)',
    labelNames: [LABEL_STATE],
    registers: [registry],
    collect() {
      const r = reading();
      this.set({ [LABEL_STATE]: 'busy' }, r.busyConnections);
      this.set({ [LABEL_STATE]: 'idle' }, r.idleConnections);
    },
  });
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

// prom-client's default set has three gauges named like counters (`nodejs_active_handles_total`
// and the like), which `promtool check metrics` rejects; the same numbers stay available, by type,
// as `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources`.
const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** The default Node.js process metrics (CPU, memory, event loop, GC), once per registry, lint-clean. */
export function nodeMetrics(registry: Registry): void {
  if (!registry.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
}

/** What `/metrics` answers: the body and its content type. */
export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * Serialises the registry in the format the scraper asked for: OpenMetrics (with exemplars) when
 * its Accept header names `application/openmetrics-text`, the Prometheus text format otherwise.
 *
 * prom-client writes exemplars only from a registry in OpenMetrics mode, and serialising in that
 * mode renames counters in place (it strips `_total`). So the OpenMetrics answer is written from a
 * throw-away registry holding views of the metrics, and the shared registry is never switched.
 */
export async function exposition(registry: Registry, accept: string | undefined): Promise<Exposition> {
  if (!accept?.includes('application/openmetrics-text')) {
    return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await registry.metrics() };
  }
  const view = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
  view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const metric of registry.getMetricsAsArray()) {
    const own = metric as unknown as { name: string };
    view.registerMetric(
      Object.create(metric, { name: { value: own.name, writable: true, enumerable: true } }) as Metric,
    );
  }
  return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: await view.metrics() };
}
