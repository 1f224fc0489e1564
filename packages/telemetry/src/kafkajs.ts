import { context, propagation, type Span } from '@opentelemetry/api';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';

type StartProducerSpan = (
  topic: string,
  message: { headers?: Record<string, unknown> },
  client: unknown,
) => Span;
interface Internals {
  _startProducerSpan: StartProducerSpan;
  _getConsumerRunPatch: () => (original: unknown) => unknown;
}

function headerText(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['traceparent', 'tracestate']) {
    const v = headers?.[key];
    if (typeof v === 'string') out[key] = v;
    else if (Buffer.isBuffer(v)) out[key] = v.toString('utf8');
  }
  return out;
}

/**
 * kafkajs instrumentation with the ownership Paystream chose for messaging spans:
 *
 * - Producer: the instrumentation's `send <topic>` span per message, but started under the trace
 *   the message already carries (the bus writes each event's own `traceparent` into its headers),
 *   so an outbox batch mixing events of several requests keeps each event in its own request's
 *   trace instead of moving all of them into the trace of the batch's first event.
 * - Consumer: none. The bus delivers with `eachBatch`, where the instrumentation would add a `poll`
 *   span and per-message `process` spans that are neither active in the handler nor carry the
 *   consumer group. The bus writes the one `process <topic>` span per event per group itself
 *   (packages/bus/src/tracing.ts), so the instrumentation's consumer patch is switched off.
 *
 * The two overridden members are internal to 0.33.0 (pinned in the catalog); the trace
 * integration test fails if a version bump changes them.
 */
export class PaystreamKafkaJsInstrumentation extends KafkaJsInstrumentation {}

const proto = PaystreamKafkaJsInstrumentation.prototype as unknown as Internals;
const base = KafkaJsInstrumentation.prototype as unknown as Internals;
proto._startProducerSpan = function startProducerSpan(this: unknown, topic, message, client) {
  const carried = headerText(message.headers);
  if (!carried.traceparent) return base._startProducerSpan.call(this, topic, message, client);
  const parent = propagation.extract(context.active(), carried);
  return context.with(parent, () => base._startProducerSpan.call(this, topic, message, client));
};
proto._getConsumerRunPatch = () => (original: unknown) => original;
