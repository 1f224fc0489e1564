// Spans cost CPU to record (timestamps, attributes, the processor chain) even when nothing
// exports them. A process with no exporter records none: the sampler answers NOT_RECORD, which
// still gives each span a valid context (the caller's trace id, a new span id), so trace context
// keeps flowing into upstream calls and events. The moment a processor is added (a test's
// in-memory exporter), spans record again under the configured sampler.
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the spec defines them; default parentbased_always_on. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on';
  const ratio = () => {
    const raw = env.OTEL_TRACES_SAMPLER_ARG;
    const n = raw === undefined || raw.trim() === '' ? 1 : Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw new RangeError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${raw}"`);
    return n;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new RangeError(
        `OTEL_TRACES_SAMPLER "${name}" is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio`,
      );
  }
}

/** Delegates to `inner` while something exports spans; records nothing otherwise. */
export class RecordWhileExporting implements Sampler {
  constructor(
    private readonly exporting: () => boolean,
    private readonly inner: Sampler,
  ) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (!this.exporting()) return { decision: SamplingDecision.NOT_RECORD };
    return this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `RecordWhileExporting{${this.inner.toString()}}`;
  }
}
