export type { UpstreamMetrics } from './metrics.js';
export {
  getOrCreate,
  httpRequestsCounter,
  NO_CODE,
  notificationsRejectedCounter,
  upstreamMetrics,
} from './metrics.js';
export * from './semconv.js';
export { SpanKind, SpanStatusCode, withSpan } from './spans.js';
export type { Tracing, TracingOptions } from './tracing.js';
export { startTracing } from './tracing.js';
