import type { CatalogEntry, Operation, Wallet } from '@paystream/codes';
import type { Logger } from '@paystream/logger';
import type { Currency, MinorUnits } from '@paystream/money';
import type { Signer } from './signer.js';

// The gateway's wallets come from the catalog; `wire.ts` maps them to the aggregator's
// `paytype`/`wallet` fields.
export type { Wallet } from '@paystream/codes';

export interface UpstreamCredentials {
  userConfirmKey: string;
  privateKey: string;
}

/** The operations the client calls (everything but the inbound notify). */
export type CallOperation = Exclude<Operation, 'notify'>;

export type Outcome = 'success' | 'rejected' | 'unknown';

/** Why an outcome is unknown: the request may or may not have taken effect upstream. */
export type UnknownReason = 'timeout' | 'network' | 'bad_response';

export type UpstreamResult<T> =
  | { outcome: 'success'; code: '00'; entry: CatalogEntry; data: T }
  | { outcome: 'rejected'; code: string; entry: CatalogEntry; message: string }
  | { outcome: 'unknown'; reason: UnknownReason; error: string };

/** The client's logger (the one Logger contract); it logs structured objects, never request bodies. */
export type UpstreamLogger = Logger;

export interface ResultInfo {
  operation: Operation;
  code: string | null;
  outcome: Outcome;
  durationMs: number;
}

export interface UpstreamClientOptions {
  baseUrl: string;
  credentials: UpstreamCredentials;
  /** Whole-call deadline, connect to last body byte. Default 10000. */
  timeoutMs?: number;
  signer?: Signer;
  now?: () => Date;
  logger?: UpstreamLogger;
  hooks?: { onResult?(info: ResultInfo): void };
  /** Keep-alive sockets per origin: the most calls in flight at once. Default 256 (see client.ts). */
  connections?: number;
  /**
   * Requests written on one socket before its first answer (HTTP/1.1 pipelining). Default 1. Only
   * queries are ever pipelined: undici never writes a non-idempotent POST behind another request.
   */
  pipelining?: number;
}

/** The connection pool as a scrape sees it, summed over origins (undici's Agent `stats`). */
export interface UpstreamPoolStats {
  /** Calls waiting to be written: no free connection, or theirs is still connecting. */
  queued: number;
  /** Calls written and waiting for their answer. */
  running: number;
  /** Open sockets carrying a call. */
  busyConnections: number;
  /** Open sockets with nothing to do (kept alive for the next call). */
  idleConnections: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export type PaymentStatus = 'pending' | 'paid' | 'refunded' | 'partially_refunded' | 'canceled' | 'closed';

export interface CreatePaymentInput {
  outTradeNo: string;
  amount: MinorUnits;
  currency: Currency;
  wallet: Wallet;
  notifyUrl: string;
  description?: string;
}

export interface CreatedPayment {
  outTradeNo: string;
  upstreamTradeNo: string;
  /** Content to render as a QR code for the customer to scan. */
  qrCodeUrl: string;
  /** A URL that opens the wallet's payment page. */
  payUrl: string;
  amount: MinorUnits;
  currency: Currency;
  wallet: Wallet;
  createdAt: string;
}

export interface RefundRecord {
  refundNo: string;
  upstreamRefundNo: string;
  amount: MinorUnits;
  refundedAt: string;
}

export interface PaymentState {
  outTradeNo: string;
  upstreamTradeNo: string;
  status: PaymentStatus;
  amount: MinorUnits;
  currency: Currency;
  wallet: Wallet;
  refundedAmount: MinorUnits;
  createdAt: string;
  paidAt?: string;
  canceledAt?: string;
  closedAt?: string;
  refunds: RefundRecord[];
}

export interface RefundDone {
  outTradeNo: string;
  refundNo: string;
  upstreamRefundNo: string;
  amount: MinorUnits;
  currency: Currency;
  /** Cumulative refunded amount of the order after this refund. */
  refundedAmount: MinorUnits;
  refundedAt: string;
}

export interface Canceled {
  outTradeNo: string;
  upstreamTradeNo: string;
  /** What the cancel gave back to the customer (0 when nothing had been paid). */
  reversedAmount: MinorUnits;
  canceledAt: string;
}

export interface Closed {
  outTradeNo: string;
  upstreamTradeNo: string;
  closedAt: string;
}

/** Identifies an order; `wallet`, when given, is checked upstream against the order's (code 04). */
export interface OrderRef {
  outTradeNo: string;
  wallet?: Wallet;
}

export interface RefundPaymentInput extends OrderRef {
  refundNo: string;
  amount: MinorUnits;
  currency: Currency;
  /** The order's total; when given, the aggregator refuses a mismatch (code 17). */
  orderAmount?: MinorUnits;
}

export interface UpstreamClient {
  createPayment(i: CreatePaymentInput, o?: CallOptions): Promise<UpstreamResult<CreatedPayment>>;
  queryPayment(i: OrderRef, o?: CallOptions): Promise<UpstreamResult<PaymentState>>;
  /** Looks up one refund of an order (`querytype` OUT_TRADE with `refund_no`). */
  queryRefund(i: OrderRef & { refundNo: string }, o?: CallOptions): Promise<UpstreamResult<RefundDone>>;
  refundPayment(i: RefundPaymentInput, o?: CallOptions): Promise<UpstreamResult<RefundDone>>;
  cancelPayment(i: OrderRef, o?: CallOptions): Promise<UpstreamResult<Canceled>>;
  closePayment(i: OrderRef, o?: CallOptions): Promise<UpstreamResult<Closed>>;
  /**
   * Sends wire parameters as they are (authentication fields are added unless present), or a raw
   * string body. For operators and contract tests that need to send what the typed methods cannot.
   */
  sendRaw(
    operation: CallOperation,
    params: Record<string, unknown> | string,
    o?: CallOptions,
  ): Promise<UpstreamResult<Record<string, unknown>>>;
  /** The pool's occupancy right now (for a gauge read at scrape time; cheap, no I/O). */
  poolStats(): UpstreamPoolStats;
  /** Closes the keep-alive connections. */
  destroy(): Promise<void>;
}

export interface UpstreamNotification {
  /** Unique per callback: a receiver that has seen it is looking at a replay. */
  notifyId: string;
  outTradeNo: string;
  upstreamTradeNo: string;
  status: 'paid';
  amount: MinorUnits;
  currency: Currency;
  wallet: Wallet;
  paidAt: string;
  /** The callback's signed wire timestamp (yyyyMMddHHmmss, Hong Kong time). */
  timestamp: string;
}
