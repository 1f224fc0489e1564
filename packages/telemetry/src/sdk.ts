import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { context, propagation, type Tracer, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { EmitBindingContextManager } from './context.js';
import { FanOutSpanProcessor } from './fanout.js';
import { PaystreamKafkaJsInstrumentation } from './kafkajs.js';
import { RecordWhileExporting, samplerFromEnv } from './sampler.js';
import { filterKafkajsTimeoutWarning } from './warnings.js';

/** `deployment.environment.name` (stable semconv key; not yet exported by the package as a constant). */
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';

export interface TelemetryOptions {
  /** `service.name` unless OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES) says otherwise. */
  serviceName: string;
  /** `service.version`. */
  serviceVersion?: string;
  /** The environment OTEL_* is read from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Export to this exporter (tests: an InMemorySpanExporter), synchronously, instead of OTLP. */
  exporter?: SpanExporter;
  /** The standard instrumentations (http, express, undici, pg, kafkajs, pino). Default true. */
  instrument?: boolean;
}

export interface Telemetry {
  /** Whether spans leave the process (an OTLP endpoint or an exporter is configured). */
  readonly exporting: boolean;
  tracer(name?: string): Tracer;
  /** Adds a span processor after start (a test's in-memory exporter in a process started with --import). */
  addSpanProcessor(processor: SpanProcessor): void;
  /** Exports what is buffered and stops; safe to call twice. */
  shutdown(): Promise<void>;
}

let active: Telemetry | undefined;

/** Whether spans leave over OTLP: an endpoint is set, or OTEL_TRACES_EXPORTER names `otlp`. */
function otlpTracesWanted(env: NodeJS.ProcessEnv): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined && exporter.trim() !== '') return !exporter.split(',').includes('none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Whether the instrumentations' OTel metrics, or pino's log records, are exported: only when
 * OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER names an exporter (`otlp`, `console`; the SDK reads
 * it). An endpoint alone exports traces only. Paystream's metrics are prom-client's (`/metrics`,
 * scraped by Prometheus; the collector has no metrics pipeline) and its logs are JSON lines on
 * stdout. Exporting both again over OTLP by default cost every request its log line a second time
 * (parsed back from JSON, batched, encoded) and a histogram per instrumentation (bench case 5).
 */
function signalNamed(env: NodeJS.ProcessEnv, signal: 'METRICS' | 'LOGS'): boolean {
  const named = (env[`OTEL_${signal}_EXPORTER`] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return named.length > 0 && !named.includes('none');
}

/**
 * The OTLP/HTTP trace exporter for the protocol asked for: http/protobuf (the specification's
 * default) unless OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL says http/json.
 */
function otlpTraceExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || '').trim();
  return protocol === 'http/json' ? new OTLPJsonTraceExporter() : new OTLPProtoTraceExporter();
}

/** OTEL_TRACES_EXPORTER (`otlp`, `console`, `none`); unset means OTLP only when an endpoint is set. */
function traceExporters(env: NodeJS.ProcessEnv): SpanExporter[] {
  if (!otlpTracesWanted(env)) return [];
  const named = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((s) => s.trim());
  return [
    ...(named.includes('otlp') || named.includes('') ? [otlpTraceExporter(env)] : []),
    ...(named.includes('console') ? [new ConsoleSpanExporter()] : []),
  ];
}

/** The standard instrumentations, configured for Paystream. */
export function instrumentations(env: NodeJS.ProcessEnv = process.env) {
  return [
    new HttpInstrumentation({
      // Scrapes and probes are not traffic: no spans for them.
      ignoreIncomingRequestHook: (req) => /^\/(metrics|healthz|readyz)(\?|$)/.test(req.url ?? ''),
    }),
    // No express spans at all: kept for the route template it gives the http SERVER span
    // (`POST /v1/payments`, `http.route`), which it sets even for the layers it ignores. Its
    // `request handler` span only repeated the SERVER span's time under another name, and cost a
    // span and a context bind per request (bench case 5).
    new ExpressInstrumentation({
      ignoreLayersType: [
        ExpressLayerType.MIDDLEWARE,
        ExpressLayerType.ROUTER,
        ExpressLayerType.REQUEST_HANDLER,
      ],
    }),
    new UndiciInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true }),
    new PaystreamKafkaJsInstrumentation(),
    // trace_id/span_id always; log records go to the OTel logs pipeline only when it exports them.
    new PinoInstrumentation({ disableLogSending: !signalNamed(env, 'LOGS') }),
  ];
}

// OTEL_* variables the traces-only setup below honours; any other one (metrics or logs exporters,
// propagators, span limits, OTEL_SDK_DISABLED, OTEL_LOG_LEVEL...) is the NodeSDK's to interpret.
const TRACES_ONLY_VARIABLES = new Set([
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
]);

/** Whether the environment asks for more than traces (the NodeSDK then sets everything up). */
function needsNodeSdk(env: NodeJS.ProcessEnv): boolean {
  if (signalNamed(env, 'METRICS') || signalNamed(env, 'LOGS')) return true;
  // The NodeSDK reads process.env itself, whatever `env` the caller passed.
  return [env, process.env].some((e) =>
    Object.keys(e).some((k) => k.startsWith('OTEL_') && !TRACES_ONLY_VARIABLES.has(k)),
  );
}

/**
 * `@opentelemetry/sdk-node` with everything it can set up (metrics and logs exporters of every
 * protocol, propagators, detectors). Loaded only when the environment asks for more than traces:
 * its module graph alone is about 16 MB of a process's memory.
 */
function startNodeSdk(config: Partial<NodeSDKConfiguration>): { shutdown(): Promise<void> } {
  // require() of the package's ESM entry (synchronous, as startTelemetry is): the same module
  // instances as the static imports above, not a second copy of the SDK from its CommonJS build.
  const { NodeSDK } = createRequire(import.meta.url)(
    fileURLToPath(import.meta.resolve('@opentelemetry/sdk-node')),
  ) as typeof import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK(config);
  sdk.start();
  return sdk;
}

/**
 * What the NodeSDK's start does for traces, and nothing else: the instrumentations, async
 * context, W3C trace context and baggage (the default propagators), the tracer provider with the
 * env detector's resource.
 */
function startTracesOnly(
  resource: Resource,
  sampler: Sampler,
  processor: SpanProcessor,
  instrumented: Instrumentation[],
): { shutdown(): Promise<void> } {
  registerInstrumentations({ instrumentations: instrumented });
  const contextManager = new EmitBindingContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  const provider = new TracerProvider({
    resource: resource.merge(detectResources({ detectors: [envDetector] })),
    sampler,
    spanProcessors: [processor],
  });
  trace.setGlobalTracerProvider(provider);
  return provider;
}

/**
 * Starts OpenTelemetry for the process through `@opentelemetry/sdk-node`: W3C trace context and
 * async context always (so events carry a traceparent even when nothing is exported); the standard
 * instrumentations; OTLP export only when the standard OTEL_* variables ask for it (nothing is
 * sent anywhere when they are unset); resource `service.name`, `service.version`,
 * `deployment.environment.name`. Idempotent: a second call returns the first setup.
 *
 * For ESM on Node 24 the instrumentations only see modules loaded after the loader hook is
 * registered: processes load `@paystream/telemetry/register` with `node --import`, which does that.
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  if (active) return active;
  const env = opts.env ?? process.env;
  filterKafkajsTimeoutWarning();

  const fanout = new FanOutSpanProcessor();
  if (opts.exporter) fanout.add(new SimpleSpanProcessor({ exporter: opts.exporter }));
  else for (const exporter of traceExporters(env)) fanout.add(new BatchSpanProcessor({ exporter }));
  const exporting = fanout.size > 0;

  // Defaults first; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over them.
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: opts.serviceName,
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: 'development',
    'host.name': hostname(),
    ...(opts.serviceVersion ? { [ATTR_SERVICE_VERSION]: opts.serviceVersion } : {}),
  });
  const instrumented = opts.instrument === false ? [] : instrumentations(env);
  const sampler = new RecordWhileExporting(() => fanout.size > 0, samplerFromEnv(env));
  const sdk = needsNodeSdk(env)
    ? startNodeSdk({
        resource,
        sampler,
        // Only the synchronous env detector: the host detector's pending machine id would delay every
        // span's export (and a test's in-memory exporter would see nothing until it settles).
        resourceDetectors: [envDetector],
        // AsyncLocalStorage, binding request and response emitters through their emit (context.ts).
        contextManager: new EmitBindingContextManager(),
        spanProcessors: [fanout],
        instrumentations: instrumented,
        // Paystream's metrics are prom-client's (/metrics). OTel metrics and logs leave only when named.
        ...(signalNamed(env, 'METRICS') ? {} : { metricReaders: [] }),
        ...(signalNamed(env, 'LOGS') ? {} : { logRecordProcessors: [] }),
      })
    : startTracesOnly(resource, sampler, fanout, instrumented);
  let stopped = false;
  const telemetry: Telemetry = {
    exporting,
    tracer: (name = opts.serviceName) => trace.getTracer(name),
    addSpanProcessor: (p) => fanout.add(p),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await sdk.shutdown();
      for (const i of instrumented) i.disable();
      trace.disable();
      propagation.disable();
      context.disable();
      active = undefined;
    },
  };
  active = telemetry;
  return telemetry;
}

/** The running setup, if any. */
export function currentTelemetry(): Telemetry | undefined {
  return active;
}

/**
 * The service a process runs, from the nearest package.json above its entry file:
 * `@paystream/gateway` 0.1.0 → `paystream-gateway`, `0.1.0`.
 */
export function servicePackage(entryFile: string): { name: string; version?: string } | undefined {
  let dir = pathToFileURL(entryFile);
  for (let up = 0; up < 4; up++) {
    dir = new URL('..', dir);
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (typeof pkg.name !== 'string') return undefined;
      const name = pkg.name.replace(/^@/, '').replace('/', '-');
      return typeof pkg.version === 'string' ? { name, version: pkg.version } : { name };
    } catch {
      // no package.json here: one folder up
    }
  }
  return undefined;
}
