// Strict producers, tolerant consumers. Producers validate with the `.strict()` schemas of
// schema.ts; a consumer reads with this module instead: it checks only the fields consumers rely
// on, drops fields it does not know (a producer one release ahead may add optional ones), and
// reports a type it does not know as such instead of failing, so the bus can skip and count it
// rather than dead-letter it as malformed.
import { z } from 'zod';
import { cloudEventFromKafka, type IncomingKafkaRecord } from './kafka-binding.js';
import { envelopeAttributes, paymentEventDataSchema } from './schema.js';
import { EVENT_TYPES, REFUND_TYPES, type TypedEvent, UNKNOWN_OUTCOME_TYPES } from './types.js';
import { EventValidationError } from './validate.js';

type Relaxed<S extends z.ZodRawShape> = { [K in keyof S]?: z.ZodType };

// The consumer reads every field the producer writes (the shapes below start from schema.ts), with
// the checks a consumer cannot rely on relaxed: lengths and formats are the producer's business, and
// an older consumer must not refuse what a newer producer allows. `satisfies` keeps each relaxation
// on a field that exists. z.object (not strictObject): unknown keys are stripped, never an error.
const consumerData = z.object({
  ...paymentEventDataSchema.shape,
  ...({
    outTradeNo: z.string().min(1),
    code: z.string().min(1).nullable(),
    category: z.string(),
    refundNo: z.string().min(1).optional(),
    occurredAt: z.string(),
  } satisfies Relaxed<typeof paymentEventDataSchema.shape>),
});

/** The CloudEvents envelope as every consumer reads it (the ledger's reader extends it too). */
export const consumerEnvelopeBase = z.object({
  ...envelopeAttributes,
  ...({
    id: z.string().min(1),
    subject: z.string().min(1),
    time: z.string().min(1),
    datacontenttype: z.string().optional(),
    traceparent: z.string().optional(),
  } satisfies Relaxed<typeof envelopeAttributes>),
  type: z.string().min(1),
});

const consumerEnvelope = consumerEnvelopeBase.extend({ data: consumerData });

/** What a consumer read from one record. */
export type ReadResult =
  | { kind: 'event'; event: TypedEvent }
  /** A well-formed CloudEvent of a type this release does not know: skip it, count it. */
  | { kind: 'unknown_type'; id: string | undefined; type: string };

const known = new Set<string>(EVENT_TYPES);

function fieldErrors(error: z.ZodError) {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(event)', message: i.message }));
}

/**
 * Reads a value as a consumer: the fields consumers need are checked (per type: refunds name their
 * refund, only unknown outcomes may lack a code), unknown fields are dropped, unknown types are
 * reported. Throws {@link EventValidationError} naming the bad fields when the record is malformed.
 */
export function readEvent(value: unknown): ReadResult {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && type.length > 0 && !known.has(type)) {
    const id = (value as { id?: unknown }).id;
    return { kind: 'unknown_type', type, id: typeof id === 'string' ? id : undefined };
  }
  const parsed = consumerEnvelope.safeParse(value);
  if (!parsed.success) throw new EventValidationError(fieldErrors(parsed.error));
  const e = parsed.data;
  const errors: { field: string; message: string }[] = [];
  if (e.subject !== e.data.outTradeNo)
    errors.push({ field: 'subject', message: 'subject must equal data.outTradeNo' });
  if ((REFUND_TYPES as readonly string[]).includes(e.type)) {
    if (e.data.refundNo === undefined) errors.push({ field: 'data.refundNo', message: 'is required' });
    if (e.data.refundAmountMinor === undefined)
      errors.push({ field: 'data.refundAmountMinor', message: 'is required' });
  }
  if (e.data.code === null && !(UNKNOWN_OUTCOME_TYPES as readonly string[]).includes(e.type))
    errors.push({ field: 'data.code', message: 'may be null only for an unknown outcome' });
  if (errors.length > 0) throw new EventValidationError(errors);
  return { kind: 'event', event: e as unknown as TypedEvent };
}

/** Decodes a binary-mode record as a consumer (see {@link readEvent}). */
export function readKafkaMessage(m: IncomingKafkaRecord): ReadResult {
  return readEvent(cloudEventFromKafka(m));
}
