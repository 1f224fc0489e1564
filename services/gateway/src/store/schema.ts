import type { OrderStatus, Wallet } from '@paystream/codes';
import type { Currency } from '@paystream/money';

export { ORDER_STATUSES, type OrderStatus } from '@paystream/codes';

export interface OrdersTable {
  out_trade_no: string;
  caller: string;
  amount_minor: number;
  currency: Currency;
  wallet: Wallet;
  status: OrderStatus;
  upstream_trade_no: string | null;
  qr_code_url: string | null;
  pay_url: string | null;
  description: string | null;
  notify_url: string | null;
  /** JSON object of string values. */
  metadata: string | null;
  refunded_minor: number;
  /** The last event sequence number given out for this order (events are 1-based, gapless). */
  sequence: number;
  last_code: string | null;
  created_at: string;
  updated_at: string;
  paid_at: string | null;
  /**
   * An upstream write that may be in flight or was cut off (create, cancel, close), recorded
   * before the call; cleared once a result or a query settles it.
   */
  intent: OrderIntent | null;
  /** When the intent was recorded: the sweeper settles intents older than the worst-case request. */
  intent_at: string | null;
  /** The last query outcome ("00" or a code): a read records an event only when it changes. */
  query_code: string | null;
  /**
   * Bumped by every write of the row: a write names the version it was computed from and changes
   * nothing when another request (in this process or another) wrote the row since.
   */
  version: number;
}

export type OrderIntent = 'create' | 'cancel' | 'close';

export type RefundStatus = 'succeeded' | 'failed' | 'pending';

export interface RefundsTable {
  out_trade_no: string;
  refund_no: string;
  amount_minor: number;
  status: RefundStatus;
  last_code: string | null;
  upstream_refund_no: string | null;
  refunded_at: string | null;
  /** The refund_no sent upstream: namespaced by order, so one caller's numbers never meet another's. */
  upstream_ref: string;
  created_at: string;
  updated_at: string;
}

export interface IdempotencyTable {
  caller: string;
  key: string;
  request_hash: string;
  /** 0 while the first request is running. */
  status: number;
  body: string | null;
  created_at: string;
}

export interface NotificationsTable {
  notify_id: string;
  out_trade_no: string;
  received_at: string;
}

export interface GatewaySchema {
  gateway_orders: OrdersTable;
  gateway_refunds: RefundsTable;
  gateway_idempotency: IdempotencyTable;
  gateway_notifications: NotificationsTable;
}
