import type { Order } from '../store/orders.js';

/** A pending order's row as the store writes it at `now`, with no events yet; `over` replaces fields. */
export function orderRow(no: string, now: string, over: Partial<Order> = {}): Order {
  return {
    out_trade_no: no,
    caller: 'checkout',
    amount_minor: 1000,
    currency: 'HKD',
    wallet: 'WECHATHK',
    status: 'pending',
    upstream_trade_no: null,
    qr_code_url: null,
    pay_url: null,
    description: null,
    notify_url: null,
    metadata: null,
    refunded_minor: 0,
    sequence: 0,
    last_code: null,
    created_at: now,
    updated_at: now,
    paid_at: null,
    intent: null,
    intent_at: null,
    query_code: null,
    version: 0,
    ...over,
  };
}
