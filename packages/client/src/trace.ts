import { type Context, defaultTextMapSetter, propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const w3c = new W3CTraceContextPropagator();

/**
 * The headers that carry `ctx` to the gateway: whatever the service's global propagator writes
 * (baggage, B3, ...), and always W3C `traceparent`/`tracestate`, which the gateway reads, even in a
 * service that registered no propagator.
 */
export function traceHeaders(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, defaultTextMapSetter);
  if (!carrier.traceparent) w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}
