// The zod schemas are the single source of truth at run time; types.ts keeps the hand-written
// interfaces other teams code against, and the checks at the bottom make the compiler prove that
// both describe the same shape, so the JSON Schemas generated from zod match the TypeScript types.
import { WALLETS } from '@paystream/codes';
import { CURRENCIES } from '@paystream/money';
import { z } from 'zod';
import {
  EVENT_OPERATIONS,
  EVENT_TYPES,
  type EventType,
  type PaymentEventData,
  type PaystreamEvent,
  REFUND_TYPES,
  UNKNOWN_OUTCOME_TYPES,
} from './types.js';

/** Major version of the data schemas; see README "Versioning" for what may change without a bump. */
export const DATA_SCHEMA_VERSION = 1;

/** The `dataschema` URI of a type's data schema. */
export function dataSchemaUri(type: EventType): string {
  return `urn:paystream:schema:${type}:v${DATA_SCHEMA_VERSION}`;
}

const isoTime = z.iso.datetime({ offset: true });
const minor = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The data of any payment event, before per-type rules. */
export const paymentEventDataSchema = z.strictObject({
  outTradeNo: z.string().min(1).max(64),
  sequence: z.number().int().min(1),
  operation: z.enum(EVENT_OPERATIONS),
  code: z.string().min(1).max(16).nullable(),
  category: z.string().min(1),
  message: z.string().optional(),
  amountMinor: minor,
  currency: z.enum(CURRENCIES),
  wallet: z.enum(WALLETS),
  refundNo: z.string().min(1).max(64).optional(),
  refundAmountMinor: minor.optional(),
  refundedTotalMinor: minor.optional(),
  upstreamTradeNo: z.string().optional(),
  caller: z.string().min(1).max(64).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  occurredAt: isoTime,
});

// W3C trace context: version 00, 16-byte trace id, 8-byte span id, flags.
const traceparentSchema = z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);

// Per-type rules on top of the common shape: refunds name their refund, and only an unknown outcome
// may lack a code ("every upstream call that does not answer 00 yields an event that carries its code").
function dataSchemaFor(type: EventType): typeof paymentEventDataSchema {
  const code = z.string().min(1).max(16);
  return paymentEventDataSchema.extend({
    ...((REFUND_TYPES as readonly EventType[]).includes(type)
      ? { refundNo: z.string().min(1).max(64), refundAmountMinor: minor }
      : {}),
    ...((UNKNOWN_OUTCOME_TYPES as readonly EventType[]).includes(type) ? {} : { code }),
  }) as unknown as typeof paymentEventDataSchema;
}

/** The CloudEvents attributes every payment event carries beside `type` and `data`. */
export const envelopeAttributes = {
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(128),
  source: z.string().min(1),
  subject: z.string().min(1).max(64),
  time: isoTime,
  datacontenttype: z.literal('application/json'),
  dataschema: z.string().optional(),
  traceparent: traceparentSchema.optional(),
  tracestate: z.string().optional(),
};

function envelope<T extends EventType>(type: T) {
  return z.strictObject({ ...envelopeAttributes, type: z.literal(type), data: dataSchemaFor(type) });
}

/** Envelope + data schema per event type. */
export const eventSchemas = Object.fromEntries(EVENT_TYPES.map((t) => [t, envelope(t)])) as {
  [K in EventType]: ReturnType<typeof envelope<K>>;
};

/** Any payment event: the union of {@link eventSchemas}, with `subject` tied to `data.outTradeNo`. */
export const paystreamEventSchema = z
  .discriminatedUnion(
    'type',
    EVENT_TYPES.map((t) => eventSchemas[t]) as unknown as [
      ReturnType<typeof envelope>,
      ...ReturnType<typeof envelope>[],
    ],
  )
  .refine((e) => e.subject === e.data.outTradeNo, {
    message: 'subject must equal data.outTradeNo',
    path: ['subject'],
  });

/** JSON Schema (draft 2020-12) of each type's full event and of its data alone. */
export const eventJsonSchemas: Record<EventType, { event: object; data: object }> = Object.fromEntries(
  EVENT_TYPES.map((t) => {
    const schema = eventSchemas[t];
    return [
      t,
      {
        event: { $id: `urn:paystream:schema:event:${t}:v${DATA_SCHEMA_VERSION}`, ...z.toJSONSchema(schema) },
        data: { $id: dataSchemaUri(t), ...z.toJSONSchema(schema.shape.data) },
      },
    ];
  }),
) as Record<EventType, { event: object; data: object }>;

// Compile-time proof that the zod schemas and the interfaces agree (both directions).
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const dataMatches: Equals<z.infer<typeof paymentEventDataSchema>, PaymentEventData> = true;
type AnyEnvelope = z.infer<ReturnType<typeof envelope<EventType>>>;
const envelopeMatches: Equals<Omit<AnyEnvelope, 'data'>, Omit<PaystreamEvent, 'data'>> = true;
void dataMatches;
void envelopeMatches;
