// Request schemas: they validate at the edge, type the handlers and describe the requests in
// /openapi.json. The answers' schemas are the views' (payments/views.ts).
import { WALLETS } from '@paystream/codes';
import { CURRENCIES, tryParseAmount } from '@paystream/money';
import { z } from 'zod';
import { UPSTREAM_MAX_AMOUNT, UPSTREAM_MIN_AMOUNT } from '../payments/amounts.js';
import { amountSchema } from '../payments/views.js';

const AMOUNT_RANGE = 'must be between 0.02 and 60000.00 (the aggregator refuses others with -23)';

/**
 * An order or refund number: it travels as a path segment, so `.` and `..` (which clients and
 * proxies normalise away: `/v1/payments/..` becomes `/v1/`) are refused like any dot-only value.
 */
const identifier = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 characters: letters, digits, "_", "-" or "."')
  .refine((v) => !/^\.+$/.test(v), 'must not consist of dots only (a path segment)');

export const outTradeNoSchema = identifier.meta({
  description: "The caller's order number, unique per payment",
  example: 'order-1001',
});

export const paymentParams = z.strictObject({ outTradeNo: outTradeNoSchema });

export const createPaymentBody = z
  .strictObject({
    outTradeNo: outTradeNoSchema,
    amount: amountSchema,
    currency: z.enum(CURRENCIES),
    wallet: z.enum(WALLETS),
    description: z.string().min(1).max(128).optional(),
    notifyUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .max(512)
      .optional()
      .meta({ description: 'Stored with the payment for the caller; the aggregator calls the gateway' }),
    metadata: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'keys are 1-40 letters, digits, "_", "-" or "."'),
        z
          .string()
          .max(500)
          .regex(/^[^\p{Cc}]*$/u, 'values must not contain control characters (CR, LF, tab, NUL…)'),
      )
      .refine((m) => Object.keys(m).length <= 20, 'at most 20 entries')
      .optional()
      .meta({
        description:
          "The caller's own key/value pairs, stored and echoed in events as opaque data; never an account name",
      }),
  })
  .superRefine((body, ctx) => {
    // The decimals allowed depend on the currency, so this check sits on the whole body.
    const parsed = tryParseAmount(body.amount, body.currency);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['amount'], message: `amount ${parsed.reason}` });
    else if (parsed.value < UPSTREAM_MIN_AMOUNT || parsed.value > UPSTREAM_MAX_AMOUNT) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: AMOUNT_RANGE });
    }
  });

export const refundBody = z.strictObject({
  refundNo: identifier,
  amount: amountSchema.refine((v) => /[1-9]/.test(v), 'must be more than 0.00'),
});

/** Cancel and close take no body; an empty object (or none) is accepted. */
export const emptyBody = z.strictObject({});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  code: z
    .string()
    .optional()
    .meta({ description: 'The upstream status code, exactly as the appendix writes it' }),
  category: z.string().optional(),
  retry: z.enum(['never', 'after_query', 'safe']).optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  operation: z.string().optional(),
  reason: z.string().optional(),
});

export const notifyAck = z.object({ code: z.literal('00'), msg: z.literal('SUCCESS') });

export const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
