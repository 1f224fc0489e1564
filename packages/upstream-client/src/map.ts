// Wire answers to the client's types. Amounts come back as decimal strings and become integer
// minor units through @paystream/money; anything that does not parse is a bad response.
import { UPSTREAM_ORDER_STATUS } from '@paystream/codes';
import { type Currency, type MinorUnits, tryParseAmount } from '@paystream/money';
import type { z } from 'zod';
import type {
  Canceled,
  Closed,
  CreatedPayment,
  PaymentState,
  PaymentStatus,
  RefundDone,
  Wallet,
} from './types.js';
import {
  fromWireWallet,
  type WireStatus,
  type wireCanceled,
  type wireClosed,
  type wireCreated,
  type wireOrder,
  type wireRefund,
} from './wire.js';

export class BadResponseError extends Error {}

/** Parses a wire amount; throws BadResponseError for anything but an exact decimal. */
export function minorFromWire(text: string, currency: Currency, field: string): MinorUnits {
  const parsed = tryParseAmount(text, currency);
  if (!parsed.ok) throw new BadResponseError(`${field} ${parsed.reason}`);
  return parsed.value;
}

function walletFromWire(fields: { wallet?: unknown; wallet_region?: unknown }): Wallet {
  const wallet = fromWireWallet(fields);
  if (!wallet) throw new BadResponseError('unknown wallet');
  return wallet;
}

const STATUS: Readonly<Record<WireStatus, PaymentStatus>> = UPSTREAM_ORDER_STATUS;

export function toCreated(d: z.infer<typeof wireCreated>): CreatedPayment {
  return {
    outTradeNo: d.out_trade_no,
    upstreamTradeNo: d.trade_no,
    qrCodeUrl: d.qr_code,
    payUrl: d.pay_url,
    amount: minorFromWire(d.transaction_amount, d.currency, 'transaction_amount'),
    currency: d.currency,
    wallet: walletFromWire(d),
    createdAt: d.created_at,
  };
}

export function toPaymentState(d: z.infer<typeof wireOrder>): PaymentState {
  const state: PaymentState = {
    outTradeNo: d.out_trade_no,
    upstreamTradeNo: d.trade_no,
    status: STATUS[d.status],
    amount: minorFromWire(d.transaction_amount, d.currency, 'transaction_amount'),
    currency: d.currency,
    wallet: walletFromWire(d),
    refundedAmount: minorFromWire(d.refunded_amount, d.currency, 'refunded_amount'),
    createdAt: d.created_at,
    refunds: d.refunds.map((r) => ({
      refundNo: r.refund_no,
      upstreamRefundNo: r.refund_trade_no,
      amount: minorFromWire(r.refund_amount, d.currency, 'refund_amount'),
      refundedAt: r.refunded_at,
    })),
  };
  if (d.paid_at) state.paidAt = d.paid_at;
  if (d.canceled_at) state.canceledAt = d.canceled_at;
  if (d.closed_at) state.closedAt = d.closed_at;
  return state;
}

export function toRefundDone(d: z.infer<typeof wireRefund>): RefundDone {
  return {
    outTradeNo: d.out_trade_no,
    refundNo: d.refund_no,
    upstreamRefundNo: d.refund_trade_no,
    amount: minorFromWire(d.refund_amount, d.currency, 'refund_amount'),
    currency: d.currency,
    refundedAmount: minorFromWire(d.refunded_amount, d.currency, 'refunded_amount'),
    refundedAt: d.refunded_at,
  };
}

export function toCanceled(d: z.infer<typeof wireCanceled>): Canceled {
  return {
    outTradeNo: d.out_trade_no,
    upstreamTradeNo: d.trade_no,
    reversedAmount: minorFromWire(d.reversed_amount, d.currency, 'reversed_amount'),
    canceledAt: d.canceled_at,
  };
}

export function toClosed(d: z.infer<typeof wireClosed>): Closed {
  return { outTradeNo: d.out_trade_no, upstreamTradeNo: d.trade_no, closedAt: d.closed_at };
}
