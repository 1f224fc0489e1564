import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';

/**
 * Runs `fn` inside a new active span, ends it, and records an exception (by class name and
 * message only) when `fn` throws. The span is the active context for everything `fn` awaits, so
 * events created inside carry its traceparent.
 */
export function withSpan<T>(
  tracer: Tracer,
  name: string,
  opts: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    name,
    { kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}) },
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The SERVER span the http instrumentation started for the request being handled, if any. Express
 * layers may be the active span; the server span is found through the RPC metadata the http
 * instrumentation puts in the context (the same way the express instrumentation sets http.route).
 */
export function activeServerSpan(): Span | undefined {
  const span = getRPCMetadata(context.active())?.span;
  return span?.isRecording() ? span : undefined;
}

export { SpanKind, SpanStatusCode };
