import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import type { PaystreamEvent } from '@paystream/events';
import {
  ATTR_EVENT_ID,
  ATTR_EVENT_TYPE,
  ATTR_OUT_TRADE_NO,
  ATTR_PLUGIN,
  pluginOfGroup,
  spanNames,
} from '@paystream/telemetry';

const tracer = () => trace.getTracer('@paystream/bus');

function eventContext(e: PaystreamEvent): Context {
  if (!e.traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent: e.traceparent };
  if (e.tracestate) carrier.tracestate = e.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * Runs a publish under a `publish <topic>` producer span. When nothing is active (the outbox relay
 * runs on a timer) the span continues the first event's trace so the relay hop stays in it; every
 * event's own context is linked.
 */
export async function withPublishSpan<T>(
  topic: string,
  events: readonly PaystreamEvent[],
  system: string,
  fn: () => Promise<T>,
): Promise<T> {
  const active = trace.getSpan(context.active());
  const first = events[0];
  const parent = active || !first ? context.active() : eventContext(first);
  const links = events
    .map((e) => trace.getSpanContext(eventContext(e)))
    .filter((sc) => sc !== undefined)
    .map((sc) => ({ context: sc }));
  const span = tracer().startSpan(
    spanNames.publish(topic),
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        'messaging.system': system,
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.batch.message_count': events.length,
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: 2, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Starts the one `process <topic>` CONSUMER span per event per consumer group, carrying
 * `messaging.consumer.group.name` and the plugin id, active while the handler runs (retries
 * included). It is a child of the message's `traceparent` (the kafkajs `send` span, itself in the
 * trace of the request that caused the event), not a link: the request, the upstream call, the send
 * and every plugin's handling then open as one trace in Jaeger/Tempo. The kafkajs instrumentation
 * makes no consumer spans of its own (see @paystream/telemetry's kafkajs.ts), so there is one.
 * An event handled in a batch gets its span once the batch is done, starting when the batch did.
 */
export function startProcessSpan(
  topic: string,
  group: string,
  headers: Record<string, string>,
  e: { id: string; type: string; subject: string } | undefined,
  batch?: { startTime: number; size: number },
): { span: Span; ctx: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer().startSpan(
    spanNames.process(topic),
    {
      kind: SpanKind.CONSUMER,
      ...(batch ? { startTime: batch.startTime } : {}),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': group,
        ...(batch ? { 'messaging.batch.message_count': batch.size } : {}),
        [ATTR_PLUGIN]: pluginOfGroup(group),
        ...(e ? { [ATTR_EVENT_ID]: e.id, [ATTR_EVENT_TYPE]: e.type, [ATTR_OUT_TRADE_NO]: e.subject } : {}),
      },
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}
