// What a test needs to look at spans: the SDK's in-memory exporter and a synchronous processor,
// from the same SDK copy the process runs.
export { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
