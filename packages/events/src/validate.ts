import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { dataSchemaUri, paystreamEventSchema } from './schema.js';
import { activeTraceContext } from './trace.js';
import type { EventType, PaymentEventData, PaystreamEvent } from './types.js';

/** One bad field of an event: its dotted path and what is wrong with it. */
export interface EventFieldError {
  field: string;
  message: string;
}

/** Thrown when an event does not match its schema; `errors` names every bad field. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(readonly errors: readonly EventFieldError[]) {
    super(`invalid event: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  }
}

function fieldErrors(error: z.ZodError): EventFieldError[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(event)', message: i.message }));
}

/** Checks an unknown value against the catalogue and returns it typed; throws {@link EventValidationError}. */
export function validateEvent(e: unknown): PaystreamEvent {
  const result = paystreamEventSchema.safeParse(e);
  if (!result.success) throw new EventValidationError(fieldErrors(result.error));
  return result.data as PaystreamEvent;
}

/** Options of {@link createEvent}. */
export interface CreateEventOptions {
  /** CloudEvents `source`, e.g. `/paystream/gateway`. */
  source: string;
  /** Defaults to a random UUID; pass a deterministic id to make re-emission idempotent. */
  id?: string;
  /** Defaults to now. */
  time?: string;
  /** Defaults to the active OpenTelemetry context's traceparent. */
  traceparent?: string;
  tracestate?: string;
}

/** Builds and validates a payment event; subject = data.outTradeNo, traceparent from the active span. */
export function createEvent(
  type: EventType,
  data: PaymentEventData,
  opts: CreateEventOptions,
): PaystreamEvent {
  const trace = opts.traceparent
    ? { traceparent: opts.traceparent, ...(opts.tracestate ? { tracestate: opts.tracestate } : {}) }
    : activeTraceContext();
  return validateEvent({
    specversion: '1.0',
    id: opts.id ?? randomUUID(),
    type,
    source: opts.source,
    subject: data.outTradeNo,
    time: opts.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: dataSchemaUri(type),
    data,
    ...trace,
  });
}
