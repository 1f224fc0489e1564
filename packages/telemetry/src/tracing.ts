import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  /** `service.name`, unless OTEL_SERVICE_NAME says otherwise. */
  serviceName: string;
  serviceVersion?: string;
  /** The environment to read OTEL_* from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** An exporter to use instead of OTLP (tests pass an InMemorySpanExporter); exported synchronously. */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Whether spans leave the process (an OTLP endpoint or an exporter was given). */
  readonly exporting: boolean;
  tracer(name?: string): Tracer;
  /** Exports what is buffered and stops; safe to call twice. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/**
 * Sets up tracing for the process: W3C trace context propagation and async context always (so
 * events carry a traceparent even when nothing is exported), and an OTLP/HTTP exporter when
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, honouring the
 * standard OTEL_* variables. OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turns export off.
 * Idempotent: a second call returns the first setup.
 */
export function startTracing(opts: TracingOptions): Tracing {
  if (active) return active;
  const env = opts.env ?? process.env;
  const disabled = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const processors: SpanProcessor[] = [];
  if (opts.exporter) processors.push(new SimpleSpanProcessor({ exporter: opts.exporter }));
  else if (otlp && !disabled) processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));

  const resource = defaultResource().merge(
    resourceFromAttributes({
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? opts.serviceName,
      ...(opts.serviceVersion ? { [ATTR_SERVICE_VERSION]: opts.serviceVersion } : {}),
    }),
  );
  const provider = new TracerProvider({ resource, spanProcessors: processors });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);

  let stopped = false;
  const tracing: Tracing = {
    exporting: processors.length > 0,
    tracer: (name = opts.serviceName) => trace.getTracer(name),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
      active = undefined;
    },
  };
  active = tracing;
  return tracing;
}
