import { context, propagation } from '@opentelemetry/api';

/** The W3C `traceparent`/`tracestate` of the active OpenTelemetry context, if a span is active. */
export function activeTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  // Goes through the registered propagator, so it is a no-op until the process sets up OTel.
  propagation.inject(context.active(), carrier);
  const out: { traceparent?: string; tracestate?: string } = {};
  if (carrier.traceparent) out.traceparent = carrier.traceparent;
  if (carrier.tracestate) out.tracestate = carrier.tracestate;
  return out;
}
