import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The one span processor the SDK is given: it forwards to the configured exporter's processor and
 * to any added later. A process started with `node --import` has its SDK running before a test
 * can build an in-memory exporter, so the test adds its processor here instead of a second SDK.
 */
export class FanOutSpanProcessor implements SpanProcessor {
  readonly #processors: SpanProcessor[];

  constructor(processors: SpanProcessor[] = []) {
    this.#processors = [...processors];
  }

  get size(): number {
    return this.#processors.length;
  }

  add(processor: SpanProcessor): void {
    this.#processors.push(processor);
  }

  onStart(span: Span, parentContext: Context): void {
    for (const p of this.#processors) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const p of this.#processors) p.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.#processors.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.#processors.map((p) => p.shutdown()));
  }
}
