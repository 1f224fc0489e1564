import type { Wallet } from '@paystream/codes';

/** Every event type on `payments.events.v1`, lower-case dotted (DESIGN.md fixed interface). */
export const EVENT_TYPES = [
  'payment.created',
  'payment.pending',
  'payment.succeeded',
  'payment.failed',
  'payment.canceled',
  'payment.cancel_failed',
  'payment.closed',
  'payment.close_failed',
  'payment.query_failed',
  'refund.pending',
  'refund.succeeded',
  'refund.failed',
] as const;

/** One of {@link EVENT_TYPES}. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Types that stand for an unknown upstream outcome (timeout): the only ones whose `code` may be null. */
export const UNKNOWN_OUTCOME_TYPES: readonly EventType[] = ['payment.pending', 'refund.pending'];

/** Types about one refund: they must name it. */
export const REFUND_TYPES: readonly EventType[] = ['refund.pending', 'refund.succeeded', 'refund.failed'];

/** The operations an event can come from (the upstream operations of @paystream/codes). */
export const EVENT_OPERATIONS = ['create', 'query', 'refund', 'cancel', 'close', 'notify'] as const;
/** One of {@link EVENT_OPERATIONS}. */
export type EventOperation = (typeof EVENT_OPERATIONS)[number];

/** The CloudEvents `data` of every payment event: what happened to one order, and the upstream code. */
export interface PaymentEventData {
  outTradeNo: string;
  /** Per-outTradeNo, 1-based and gapless: consumers use it to detect gaps and reordering. */
  sequence: number;
  operation: EventOperation;
  /** Upstream code exactly as written ("00", "64", "-99"); null only for an unknown outcome. */
  code: string | null;
  /** Catalog category of the code, or 'unknown'. */
  category: string;
  /** Upstream English message. */
  message?: string;
  /** Integer minor units of the order. */
  amountMinor: number;
  currency: 'HKD' | 'CNY';
  wallet: Wallet;
  refundNo?: string;
  refundAmountMinor?: number;
  refundedTotalMinor?: number;
  upstreamTradeNo?: string;
  metadata?: Record<string, string>;
  /** ISO 8601 time of the upstream answer. */
  occurredAt: string;
}

/** A payment event as a CloudEvents 1.0 envelope plus the W3C trace context extension. */
export interface PaystreamEvent {
  specversion: '1.0';
  id: string;
  type: EventType;
  source: string;
  /** The order's outTradeNo: also the Kafka key, so one order's events stay in order. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  data: PaymentEventData;
  traceparent?: string;
  tracestate?: string;
}
