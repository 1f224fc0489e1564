// No global propagator is registered in this file's process: the client still sends W3C
// traceparent, since that is what the gateway reads.
import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { traceHeaders } from './trace.js';

describe('traceHeaders', () => {
  it('writes traceparent for the active span even without a registered propagator', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    expect(traceHeaders(ctx)).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it('writes nothing outside a trace', () => {
    expect(traceHeaders(ROOT_CONTEXT)).toEqual({});
  });
});
