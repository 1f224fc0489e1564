// The one list of order statuses: the aggregator's (with the name it sends on the wire) and
// Paystream's own. The upstream client, the gateway's store and state machine, and the plugin SDK
// all take theirs from here.

/** The aggregator's order statuses: its wire name → Paystream's name. */
export const UPSTREAM_ORDER_STATUS = {
  PENDING: 'pending',
  PAID: 'paid',
  PARTIALLY_REFUNDED: 'partially_refunded',
  REFUNDED: 'refunded',
  CANCELED: 'canceled',
  CLOSED: 'closed',
} as const;

/** The aggregator's name for an order status on the wire. */
export type WireOrderStatus = keyof typeof UPSTREAM_ORDER_STATUS;
/** An order status the aggregator can report. */
export type UpstreamOrderStatus = (typeof UPSTREAM_ORDER_STATUS)[WireOrderStatus];

/**
 * Every status a Paystream order can have. Beyond the aggregator's: `failed` (create refused,
 * nothing exists upstream), `unknown` (create timed out and a query could not yet tell whether the
 * order exists) and `paid_after_close` (the aggregator reported a payment for an order already
 * closed or canceled: money that must be refunded or otherwise settled by an operator).
 */
export const ORDER_STATUSES = [
  'pending',
  'paid',
  'paid_after_close',
  'partially_refunded',
  'refunded',
  'canceled',
  'closed',
  'failed',
  'unknown',
] as const satisfies readonly (UpstreamOrderStatus | 'paid_after_close' | 'failed' | 'unknown')[];

export type OrderStatus = (typeof ORDER_STATUSES)[number];
