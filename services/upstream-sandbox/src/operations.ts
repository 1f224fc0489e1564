// The aggregator's business rules, one function per operation. Each check answers the code the
// appendix gives for that failure; the order of checks is the order a request meets them.

import { formatAmount, isCurrency, minorUnits } from '@paystream/money';
import type { CallOperation } from '@paystream/upstream-client';
import { hongKongDay, PAYTYPE_OF_WALLET, QUERY_TYPE } from '@paystream/upstream-client';
import type { z } from 'zod';
import { MAX_AMOUNT, MIN_AMOUNT, parseWireAmount } from './amounts.js';
import { answer, DUPLICATE_MESSAGE, variantAnswer, type WireAnswer } from './answer.js';
import { createSchema, issuePaths, orderRefSchema, querySchema, refundSchema } from './schemas.js';
import type { SandboxMerchant, SandboxOrder, SandboxState } from './state.js';
import { orderView, refundedTotal, refundView } from './view.js';
import { isWireWallet, walletMismatch } from './wallets.js';

export interface RuleContext {
  state: SandboxState;
  merchant: SandboxMerchant;
  now: Date;
  /** The in-flight reservation this request holds itself, if any (not a collision with itself). */
  ownReservation?: string;
}

/** Runs one authenticated request through the operation's rules. */
export function runOperation(
  op: CallOperation,
  params: Record<string, unknown>,
  ctx: RuleContext,
): WireAnswer {
  switch (op) {
    case 'create':
      return create(params, ctx);
    case 'query':
      return query(params, ctx);
    case 'refund':
      return refund(params, ctx);
    case 'cancel':
      return cancel(params, ctx);
    case 'close':
      return close(params, ctx);
  }
}

function parse<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> | WireAnswer {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  return answer('06', `Parameter abnormal: ${issuePaths(parsed.error)}`);
}

function isAnswer(value: unknown): value is WireAnswer {
  return typeof value === 'object' && value !== null && 'code' in value && 'msg' in value;
}

function collides(ctx: RuleContext, key: string): boolean {
  const holders = ctx.state.inFlight.get(key) ?? 0;
  return holders - (ctx.ownReservation === key ? 1 : 0) > 0;
}

function findOrder(ctx: RuleContext, outTradeNo: string): SandboxOrder | undefined {
  const order = ctx.state.orders.get(outTradeNo);
  // Another merchant's order does not exist as far as this merchant can tell.
  return order && order.userConfirmKey === ctx.merchant.userConfirmKey ? order : undefined;
}

/** The merchant's order a call names, or the answer the aggregator gives instead (31, 04). */
function orderFor(p: Parameters<typeof walletMismatch>[0] & { out_trade_no: string }, ctx: RuleContext) {
  const order = findOrder(ctx, p.out_trade_no);
  if (!order) return answer('31');
  return walletMismatch(p, order) ?? order;
}

/** The order a cancel or a close names (out_trade_no, wallet), or the answer instead (06, 31, 04). */
function referencedOrder(params: Record<string, unknown>, ctx: RuleContext): SandboxOrder | WireAnswer {
  const p = parse(orderRefSchema, params);
  return isAnswer(p) ? p : orderFor(p, ctx);
}

/** A cancel's or a close's success: the order's references, the status it is now in, then `fields`. */
function movedAnswer(order: SandboxOrder, fields: Record<string, unknown>): WireAnswer {
  return answer('00', undefined, {
    out_trade_no: order.outTradeNo,
    trade_no: order.tradeNo,
    status: order.status,
    ...fields,
  });
}

function create(params: Record<string, unknown>, ctx: RuleContext): WireAnswer {
  const p = parse(createSchema, params);
  if (isAnswer(p)) return p;
  if (!p.notify_url) return answer('01');
  if (p.paytype !== 'WeChat' && p.paytype !== 'Alipay') return answer('20');
  if (!isWireWallet(p.wallet) || PAYTYPE_OF_WALLET[p.wallet] !== p.paytype) return answer('02');
  if (p.wallet_region !== undefined && (p.wallet !== 'Alipay' || !['CN', 'HK'].includes(p.wallet_region))) {
    return answer('02');
  }
  if (!isCurrency(p.currency)) return answer('56');
  const amount = parseWireAmount(p.transaction_amount, p.currency);
  if (amount === undefined) return answer('-22');
  if (amount < MIN_AMOUNT || amount > MAX_AMOUNT) return answer('-23');
  const configured = ctx.merchant.wallets ?? ['WECHATCN', 'WECHATHK', 'Alipay'];
  if (!configured.includes(p.wallet)) return variantAnswer('30', p.wallet === 'Alipay' ? 'ALIPAY' : p.wallet);
  if (collides(ctx, p.out_trade_no)) return answer('-99', DUPLICATE_MESSAGE);
  if (ctx.state.orders.has(p.out_trade_no)) return answer('03');

  const order: SandboxOrder = {
    outTradeNo: p.out_trade_no,
    tradeNo: ctx.state.nextReference('SBX', ctx.now),
    userConfirmKey: ctx.merchant.userConfirmKey,
    paytype: p.paytype,
    wallet: p.wallet,
    ...(p.wallet === 'Alipay' ? { walletRegion: p.wallet_region === 'CN' ? 'CN' : 'HK' } : {}),
    currency: p.currency,
    amount,
    notifyUrl: p.notify_url,
    ...(p.body !== undefined ? { description: p.body } : {}),
    status: 'PENDING',
    createdAt: ctx.now,
    refunds: [],
    notifyAttempts: [],
  };
  ctx.state.orders.set(order.outTradeNo, order);
  const view = orderView(order);
  return answer('00', undefined, {
    out_trade_no: order.outTradeNo,
    trade_no: order.tradeNo,
    qr_code:
      order.paytype === 'WeChat'
        ? `weixin://wxpay/bizpayurl?pr=${order.tradeNo}`
        : `https://qr.alipay.com/${order.tradeNo}`,
    pay_url: `https://sandbox.paystream.invalid/pay/${order.tradeNo}`,
    transaction_amount: view.transaction_amount,
    currency: order.currency,
    paytype: order.paytype,
    wallet: order.wallet,
    ...(order.walletRegion ? { wallet_region: order.walletRegion } : {}),
    created_at: view.created_at,
  });
}

function query(params: Record<string, unknown>, ctx: RuleContext): WireAnswer {
  const p = parse(querySchema, params);
  if (isAnswer(p)) return p;
  if (p.querytype !== QUERY_TYPE) return answer('19');
  const order = orderFor(p, ctx);
  if (isAnswer(order)) return order;
  if (p.refund_no === undefined) {
    if (order.lagQueries) {
      // A lagging replica: the order as it was when created, before any payment or refund.
      order.lagQueries -= 1;
      const { paidAt: _p, canceledAt: _c, closedAt: _d, ...created } = order;
      return answer('00', undefined, orderView({ ...created, status: 'PENDING', refunds: [] }));
    }
    return answer('00', undefined, orderView(order));
  }
  const refund = order.refunds.find((r) => r.refundNo === p.refund_no);
  if (refund) return answer('00', undefined, refundView(order, refund));
  if (ctx.state.refundOwners.has(p.refund_no)) return answer('53');
  return variantAnswer('05', 'REFUND_TRADE_NOT_EXIST');
}

function refund(params: Record<string, unknown>, ctx: RuleContext): WireAnswer {
  const p = parse(refundSchema, params);
  if (isAnswer(p)) return p;
  const order = orderFor(p, ctx);
  if (isAnswer(order)) return order;
  if (p.currency !== undefined && p.currency !== order.currency) {
    return answer('06', 'Parameter abnormal: currency');
  }
  const amount = parseWireAmount(p.refund_amount, order.currency);
  if (amount === undefined) return answer('-22');
  const total =
    p.transaction_amount === undefined ? order.amount : parseWireAmount(p.transaction_amount, order.currency);
  if (total === undefined) return answer('-22');
  if (order.status === 'PENDING') return answer('16');
  if (order.status === 'CLOSED') return answer('15');
  if (order.status === 'CANCELED') return answer('-55');
  if (collides(ctx, p.refund_no)) return answer('-99', DUPLICATE_MESSAGE);
  const owner = ctx.state.refundOwners.get(p.refund_no);
  if (owner === order.outTradeNo) return answer('14');
  if (owner !== undefined) return answer('53');
  if (total !== order.amount) return answer('17');
  if (amount === 0) return answer('-54');
  const refunded = refundedTotal(order);
  if (refunded + amount > order.amount) return answer('18');

  const record = {
    refundNo: p.refund_no,
    refundTradeNo: ctx.state.nextReference('SBR', ctx.now),
    amount: minorUnits(amount),
    refundedAt: ctx.now,
  };
  order.refunds.push(record);
  ctx.state.refundOwners.set(record.refundNo, order.outTradeNo);
  order.status = refunded + amount === order.amount ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  return answer('00', undefined, refundView(order, record));
}

function cancel(params: Record<string, unknown>, ctx: RuleContext): WireAnswer {
  const order = referencedOrder(params, ctx);
  if (isAnswer(order)) return order;
  // Cancel reverses a paid payment in full; an unpaid order is closed, not canceled.
  if (order.status === 'PENDING') return answer('16');
  if (order.status === 'CLOSED') return answer('15');
  if (order.status === 'CANCELED') return answer('-55');
  if (order.status !== 'PAID') return answer('-54');
  order.status = 'CANCELED';
  order.canceledAt = ctx.now;
  return movedAnswer(order, {
    reversed_amount: formatAmount(order.amount, order.currency),
    currency: order.currency,
    canceled_at: ctx.now.toISOString(),
  });
}

function close(params: Record<string, unknown>, ctx: RuleContext): WireAnswer {
  const order = referencedOrder(params, ctx);
  if (isAnswer(order)) return order;
  if (order.status === 'CANCELED') return answer('-55');
  if (order.status !== 'PENDING' && order.status !== 'CLOSED') return answer('54');
  if (order.status === 'PENDING') {
    if (hongKongDay(order.createdAt) !== hongKongDay(ctx.now)) return answer('55');
    order.status = 'CLOSED';
    order.closedAt = ctx.now;
  }
  return movedAnswer(order, { closed_at: (order.closedAt ?? ctx.now).toISOString() });
}
