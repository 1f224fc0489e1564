import { formatAmount } from '@paystream/money';
import type { Order, Refund } from '../store/orders.js';

/** How the API shows a refund: amounts as decimal strings, never floats. */
export function refundView(order: Order, refund: Refund) {
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
export function paymentView(order: Order, refunds: readonly Refund[]) {
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
