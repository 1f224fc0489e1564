import { OPERATIONS, type Operation, type Wallet } from '@paystream/codes';
import type { Currency } from '@paystream/money';

/** Every event type on `payments.events.v1`, lower-case dotted; consumers match on these names, so they never change. */
export const EVENT_TYPES = [
  'payment.created',
  'payment.pending',
  'payment.succeeded',
  'payment.paid_after_close',
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
export const UNKNOWN_OUTCOME_TYPES = [
  'payment.pending',
  'refund.pending',
] as const satisfies readonly EventType[];
/** One of {@link UNKNOWN_OUTCOME_TYPES}. */
export type UnknownOutcomeType = (typeof UNKNOWN_OUTCOME_TYPES)[number];

/** Types about one refund: they must name it. */
export const REFUND_TYPES = [
  'refund.pending',
  'refund.succeeded',
  'refund.failed',
] as const satisfies readonly EventType[];
/** One of {@link REFUND_TYPES}. */
export type RefundEventType = (typeof REFUND_TYPES)[number];

/** The operations an event can come from: the upstream operations, owned by @paystream/codes. */
export const EVENT_OPERATIONS = OPERATIONS;
/** One of {@link EVENT_OPERATIONS}. */
export type EventOperation = Operation;

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
  currency: Currency;
  wallet: Wallet;
  refundNo?: string;
  refundAmountMinor?: number;
  refundedTotalMinor?: number;
  upstreamTradeNo?: string;
  /**
   * The caller that created the order, as the gateway authenticated it (its API key's `caller`):
   * what accounts are named after. Never taken from the request body.
   */
  caller?: string;
  /** The caller's own opaque key/value pairs from the create: data only, never an account name. */
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

/**
 * The data of one event type, with that type's rules in the type: a refund event always names its
 * refund (`refundNo`, `refundAmountMinor`), and only an unknown outcome may have a null `code`.
 */
export type EventDataOf<T extends EventType> = Omit<
  PaymentEventData,
  'code' | 'refundNo' | 'refundAmountMinor'
> &
  (T extends UnknownOutcomeType ? { code: string | null } : { code: string }) &
  (T extends RefundEventType
    ? { refundNo: string; refundAmountMinor: number }
    : { refundNo?: string; refundAmountMinor?: number });

/** The event of one type (a union member of {@link TypedEvent}). */
export type EventOf<T extends EventType> = T extends EventType
  ? Omit<PaystreamEvent, 'type' | 'data'> & { type: T; data: EventDataOf<T> }
  : never;

/** Any payment event, discriminated by `type`: `if (e.type === 'refund.succeeded') e.data.refundNo` is a string. */
export type TypedEvent = EventOf<EventType>;
