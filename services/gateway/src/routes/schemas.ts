// Request schemas, beside the routes that use them: they validate at the edge, type the
// handlers, and generate /openapi.json, so the document cannot drift from what is enforced.
import { WALLETS } from '@paystream/codes';
import { CURRENCIES, DECIMAL_AMOUNT, tryParseAmount } from '@paystream/money';
import { z } from 'zod';
import { ORDER_STATUSES } from '../store/schema.js';
import { UPSTREAM_MAX_AMOUNT, UPSTREAM_MIN_AMOUNT } from './amounts.js';

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

export const amountSchema = z
  .string({ message: 'must be a decimal string such as "12.34" (not a number)' })
  .regex(DECIMAL_AMOUNT, 'must be a non-negative decimal string such as "12.34"')
  .meta({ description: 'Major units as a decimal string, never a float', example: '12.34' });

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
export type CreatePaymentBody = z.output<typeof createPaymentBody>;

export const refundBody = z.strictObject({
  refundNo: identifier,
  amount: amountSchema.refine((v) => /[1-9]/.test(v), 'must be more than 0.00'),
});

/** Cancel and close take no body; an empty object (or none) is accepted. */
export const emptyBody = z.strictObject({});

// Response shapes: for the OpenAPI document only (the handlers build them in payments/views.ts).
export const refundSummary = z.object({
  refundNo: z.string(),
  status: z.enum(['succeeded', 'failed', 'pending']),
  amount: amountSchema,
  upstreamRefundNo: z.string().optional(),
  refundedAt: z.string().optional(),
  lastCode: z.string().optional(),
});

export const paymentResource = z.object({
  outTradeNo: z.string(),
  status: z.enum(ORDER_STATUSES),
  amount: amountSchema,
  currency: z.enum(CURRENCIES),
  wallet: z.enum(WALLETS),
  refundedAmount: amountSchema,
  upstreamTradeNo: z.string().optional(),
  qrCodeUrl: z.string().optional(),
  payUrl: z.string().optional(),
  description: z.string().optional(),
  notifyUrl: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  lastCode: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  paidAt: z.string().optional(),
  refunds: z.array(refundSummary),
  detail: z.string().optional().meta({ description: 'Why the outcome is unknown (202 answers)' }),
});

export const refundResource = refundSummary.extend({
  outTradeNo: z.string(),
  currency: z.enum(CURRENCIES),
  refundedAmount: amountSchema,
  outcome: z.literal('unknown').optional(),
  detail: z.string().optional(),
});

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
});
