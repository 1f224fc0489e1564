import { formatAmount } from '@paystream/money';
import type { SandboxOrder, SandboxRefund } from './state.js';

/** Minor units refunded so far on an order. */
export function refundedTotal(order: SandboxOrder): number {
  return order.refunds.reduce((sum, r) => sum + r.amount, 0);
}

/** An order as the query answer writes it. */
export function orderView(order: SandboxOrder): Record<string, unknown> {
  return {
    out_trade_no: order.outTradeNo,
    trade_no: order.tradeNo,
    status: order.status,
    transaction_amount: formatAmount(order.amount, order.currency),
    currency: order.currency,
    paytype: order.paytype,
    wallet: order.wallet,
    ...(order.walletRegion ? { wallet_region: order.walletRegion } : {}),
    refunded_amount: formatAmount(refundedTotal(order), order.currency),
    created_at: order.createdAt.toISOString(),
    ...(order.paidAt ? { paid_at: order.paidAt.toISOString() } : {}),
    ...(order.canceledAt ? { canceled_at: order.canceledAt.toISOString() } : {}),
    ...(order.closedAt ? { closed_at: order.closedAt.toISOString() } : {}),
    refunds: order.refunds.map((r) => ({
      refund_no: r.refundNo,
      refund_trade_no: r.refundTradeNo,
      refund_amount: formatAmount(r.amount, order.currency),
      refunded_at: r.refundedAt.toISOString(),
    })),
  };
}

/** One refund as the refund and refund-query answers write it. */
export function refundView(order: SandboxOrder, refund: SandboxRefund): Record<string, unknown> {
  return {
    out_trade_no: order.outTradeNo,
    refund_no: refund.refundNo,
    refund_trade_no: refund.refundTradeNo,
    refund_amount: formatAmount(refund.amount, order.currency),
    refunded_amount: formatAmount(refundedTotal(order), order.currency),
    currency: order.currency,
    status: 'SUCCESS',
    refunded_at: refund.refundedAt.toISOString(),
  };
}
