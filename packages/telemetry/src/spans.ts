import { type Attributes, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';

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

export { SpanKind, SpanStatusCode };
