// How the API shows payments and refunds: the schemas are the route table's response schemas, and
// the builders are typed by them, so what is answered and what is documented are one thing.
import { WALLETS } from '@paystream/codes';
import { CURRENCIES, DECIMAL_AMOUNT, formatAmount } from '@paystream/money';
import { z } from 'zod';
import type { Order, Refund } from '../store/orders.js';
import { ORDER_STATUSES } from '../store/schema.js';

export const amountSchema = z
  .string({ message: 'must be a decimal string such as "12.34" (not a number)' })
  .regex(DECIMAL_AMOUNT, 'must be a non-negative decimal string such as "12.34"')
  .meta({ description: 'Major units as a decimal string, never a float', example: '12.34' });

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
  stale: z
    .boolean()
    .optional()
    .meta({ description: 'true when the aggregator could not be asked: this is the stored record' }),
  queryCode: z
    .string()
    .optional()
    .meta({ description: "With `stale`: the code the aggregator's query answered instead of the order" }),
  detail: z
    .string()
    .optional()
    .meta({ description: 'Why the outcome is unknown (202 answers), or why the record is `stale`' }),
});

export const refundResource = refundSummary.extend({
  outTradeNo: z.string(),
  currency: z.enum(CURRENCIES),
  refundedAmount: amountSchema,
  outcome: z.literal('unknown').optional(),
  detail: z.string().optional(),
});

export type PaymentView = z.output<typeof paymentResource>;
export type RefundView = z.output<typeof refundResource>;

/** How the API shows a refund: amounts as decimal strings, never floats. */
export function refundView(order: Order, refund: Refund): RefundView {
  return {
    outTradeNo: order.out_trade_no,
    refundNo: refund.refund_no,
    status: refund.status,
    amount: formatAmount(refund.amount_minor, order.currency),
    currency: order.currency,
    refundedAmount: formatAmount(order.refunded_minor, order.currency),
    ...(refund.upstream_refund_no ? { upstreamRefundNo: refund.upstream_refund_no } : {}),
    ...(refund.refunded_at ? { refundedAt: refund.refunded_at } : {}),
    ...(refund.last_code ? { lastCode: refund.last_code } : {}),
  };
}

/** How the API shows a payment. */
export function paymentView(order: Order, refunds: readonly Refund[]): PaymentView {
  return {
    outTradeNo: order.out_trade_no,
    status: order.status,
    amount: formatAmount(order.amount_minor, order.currency),
    currency: order.currency,
    wallet: order.wallet,
    refundedAmount: formatAmount(order.refunded_minor, order.currency),
    ...(order.upstream_trade_no ? { upstreamTradeNo: order.upstream_trade_no } : {}),
    ...(order.qr_code_url ? { qrCodeUrl: order.qr_code_url } : {}),
    ...(order.pay_url ? { payUrl: order.pay_url } : {}),
    ...(order.description ? { description: order.description } : {}),
    ...(order.notify_url ? { notifyUrl: order.notify_url } : {}),
    ...(order.metadata ? { metadata: JSON.parse(order.metadata) as Record<string, string> } : {}),
    ...(order.last_code ? { lastCode: order.last_code } : {}),
    createdAt: order.created_at,
    updatedAt: order.updated_at,
    ...(order.paid_at ? { paidAt: order.paid_at } : {}),
    refunds: refunds.map((r) => {
      const { outTradeNo: _o, currency: _c, refundedAmount: _r, ...rest } = refundView(order, r);
      return rest;
    }),
  };
}
