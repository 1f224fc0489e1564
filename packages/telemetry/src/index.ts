export { createProcessLogger, loggerOptions } from './logging.js';
export type {
  CodeInfo,
  Exposition,
  UpstreamLabelBounds,
  UpstreamMetrics,
  UpstreamObservation,
  UpstreamPoolReading,
} from './metrics.js';
export {
  exemplarHistogram,
  exposition,
  getOrCreate,
  httpRequestsCounter,
  NO_CODE,
  nodeMetrics,
  notificationsRejectedCounter,
  observeWithExemplar,
  traceExemplar,
  upstreamCodeInfo,
  upstreamMetrics,
  upstreamPoolMetrics,
} from './metrics.js';
export type { Telemetry, TelemetryOptions } from './sdk.js';
export {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  currentTelemetry,
  servicePackage,
  startTelemetry,
} from './sdk.js';
export * from './semconv.js';
export { activeServerSpan, SpanKind, SpanStatusCode, withSpan } from './spans.js';
export type { UpstreamCallIds, UpstreamCallLabels, UpstreamCallSettled } from './upstream-call.js';
export { observeUpstreamCall } from './upstream-call.js';
export { droppedKafkajsTimeoutWarnings } from './warnings.js';

import { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk.js';

/** Tracing without the auto-instrumentations (unit tests that build their own spans). */
export type Tracing = Telemetry;
export type TracingOptions = Omit<TelemetryOptions, 'instrument'>;
/** {@link startTelemetry} without the instrumentations: for unit tests of code that writes its own spans. */
export function startTracing(opts: TracingOptions): Tracing {
  return startTelemetry({ ...opts, instrument: false });
}
