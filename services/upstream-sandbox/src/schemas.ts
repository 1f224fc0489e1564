// The request shapes the aggregator accepts. Strict: an unknown parameter is a parameter error
// (06). Fields with a code of their own (notify_url 01, paytype 20, wallet 02, currency 56,
// amounts -22/-23, querytype 19) are loose here so the rules can answer that code instead.
import { z } from 'zod';

const auth = {
  User_Confirm_Key: z.string(),
  timestamp: z.string(),
  sign: z.string(),
  sign_type: z.string(),
};

const walletRef = {
  paytype: z.string().optional(),
  wallet: z.string().optional(),
  wallet_region: z.string().optional(),
};

const tradeNo = z.string().min(1).max(64);

export const createSchema = z
  .object({
    ...auth,
    ...walletRef,
    out_trade_no: tradeNo,
    currency: z.unknown().optional(),
    transaction_amount: z.unknown().optional(),
    notify_url: z.string().optional(),
    body: z.string().max(128).optional(),
  })
  .strict();

export const querySchema = z
  .object({
    ...auth,
    ...walletRef,
    querytype: z.unknown().optional(),
    out_trade_no: tradeNo,
    refund_no: tradeNo.optional(),
  })
  .strict();

export const refundSchema = z
  .object({
    ...auth,
    ...walletRef,
    out_trade_no: tradeNo,
    refund_no: tradeNo,
    refund_amount: z.unknown(),
    currency: z.string().optional(),
    transaction_amount: z.unknown().optional(),
  })
  .strict();

export const orderRefSchema = z
  .object({
    ...auth,
    ...walletRef,
    out_trade_no: tradeNo,
  })
  .strict();

/**
 * `POST /__sandbox/orders/{no}/pay`: `notify: false` pays without the callback; `late: true` pays an
 * order the merchant had already closed, as a wallet that completes a payment after the close does.
 */
export const paySchema = z.object({ notify: z.boolean().optional(), late: z.boolean().optional() }).strict();

/** `POST /__sandbox/orders/{no}/lag`: how many of the next queries answer the order as created. */
export const lagSchema = z.object({ times: z.number().int().min(1).max(10_000).default(1) }).strict();

/** The field paths of a failed parse, for the 06 message (never the values: they may be secret). */
export function issuePaths(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? i.path.join('.') : (i.message ?? 'body'))).join(', ');
}
