// The aggregator's wire format, shared by the client and the sandbox so the two halves of the
// contract cannot drift. docs/upstream-api.openapi.yaml is the written form of the same thing.
import { CURRENCIES, type Currency } from '@paystream/money';
import { z } from 'zod';
import type { CallOperation, Wallet } from './types.js';

/** Request paths, one POST endpoint per operation. */
export const WIRE_PATHS: Readonly<Record<CallOperation, string>> = Object.freeze({
  create: '/v1/trade/create',
  query: '/v1/trade/query',
  refund: '/v1/trade/refund',
  cancel: '/v1/trade/cancel',
  close: '/v1/trade/close',
});

export type WirePaytype = 'WeChat' | 'Alipay';
export type WireWallet = 'WECHATCN' | 'WECHATHK' | 'Alipay';
export type WireRegion = 'CN' | 'HK';

export interface WireWalletFields {
  paytype: WirePaytype;
  wallet: WireWallet;
  /** Only for Alipay: the aggregator has one Alipay wallet and tells the regions apart by this. */
  wallet_region?: WireRegion;
}

/** Maps a gateway wallet to the aggregator's paytype/wallet/wallet_region fields. */
export function toWireWallet(wallet: Wallet): WireWalletFields {
  switch (wallet) {
    case 'WECHATCN':
      return { paytype: 'WeChat', wallet: 'WECHATCN' };
    case 'WECHATHK':
      return { paytype: 'WeChat', wallet: 'WECHATHK' };
    case 'ALIPAYCN':
      return { paytype: 'Alipay', wallet: 'Alipay', wallet_region: 'CN' };
    case 'ALIPAYHK':
      return { paytype: 'Alipay', wallet: 'Alipay', wallet_region: 'HK' };
  }
}

/** The inverse of `toWireWallet`; undefined for a combination the gateway has no wallet for. */
export function fromWireWallet(fields: { wallet?: unknown; wallet_region?: unknown }): Wallet | undefined {
  if (fields.wallet === 'WECHATCN' || fields.wallet === 'WECHATHK') return fields.wallet;
  if (fields.wallet === 'Alipay') return fields.wallet_region === 'CN' ? 'ALIPAYCN' : 'ALIPAYHK';
  return undefined;
}

/** The paytype a wire wallet belongs to (rule behind code 02). */
export const PAYTYPE_OF_WALLET: Readonly<Record<WireWallet, WirePaytype>> = Object.freeze({
  WECHATCN: 'WeChat',
  WECHATHK: 'WeChat',
  Alipay: 'Alipay',
});

export const WIRE_STATUSES = [
  'PENDING',
  'PAID',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'CANCELED',
  'CLOSED',
] as const;
export type WireStatus = (typeof WIRE_STATUSES)[number];

/** The query querytype the aggregator accepts (code 19 for anything else). */
export const QUERY_TYPE = 'OUT_TRADE';

/** Every answer: HTTP 200 and this envelope; the code says what happened. */
export const wireEnvelope = z.object({
  code: z.string(),
  msg: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const amount = z.string();
const currency = z.enum(CURRENCIES) as z.ZodType<Currency>;
const walletFields = {
  paytype: z.enum(['WeChat', 'Alipay']),
  wallet: z.enum(['WECHATCN', 'WECHATHK', 'Alipay']),
  wallet_region: z.enum(['CN', 'HK']).optional(),
};

export const wireCreated = z.object({
  out_trade_no: z.string(),
  trade_no: z.string(),
  qr_code: z.string(),
  pay_url: z.string(),
  transaction_amount: amount,
  currency,
  ...walletFields,
  created_at: z.string(),
});

export const wireRefund = z.object({
  out_trade_no: z.string(),
  refund_no: z.string(),
  refund_trade_no: z.string(),
  refund_amount: amount,
  refunded_amount: amount,
  currency,
  status: z.literal('SUCCESS'),
  refunded_at: z.string(),
});

export const wireOrder = z.object({
  out_trade_no: z.string(),
  trade_no: z.string(),
  status: z.enum(WIRE_STATUSES),
  transaction_amount: amount,
  currency,
  ...walletFields,
  refunded_amount: amount,
  created_at: z.string(),
  paid_at: z.string().optional(),
  canceled_at: z.string().optional(),
  closed_at: z.string().optional(),
  refunds: z.array(
    z.object({
      refund_no: z.string(),
      refund_trade_no: z.string(),
      refund_amount: amount,
      refunded_at: z.string(),
    }),
  ),
});

export const wireCanceled = z.object({
  out_trade_no: z.string(),
  trade_no: z.string(),
  status: z.literal('CANCELED'),
  reversed_amount: amount,
  currency,
  canceled_at: z.string(),
});

export const wireClosed = z.object({
  out_trade_no: z.string(),
  trade_no: z.string(),
  status: z.literal('CLOSED'),
  closed_at: z.string(),
});

/** The signed body the aggregator POSTs to notify_url when an order is paid. */
export const wireNotification = z.object({
  notify_id: z.string().min(1),
  notify_type: z.literal('TRADE_SUCCESS'),
  out_trade_no: z.string(),
  trade_no: z.string(),
  status: z.literal('PAID'),
  transaction_amount: amount,
  currency,
  ...walletFields,
  paid_at: z.string(),
  User_Confirm_Key: z.string(),
  timestamp: z.string(),
  sign_type: z.string(),
  sign: z.string(),
});
