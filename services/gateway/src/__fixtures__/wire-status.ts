import type { OrderStatus } from '../store/schema.js';

/** The sandbox's order status as the gateway names it: what a settled record must say. */
export const STATUS_OF_WIRE: Readonly<Record<string, OrderStatus>> = {
  PENDING: 'pending',
  PAID: 'paid',
  PARTIALLY_REFUNDED: 'partially_refunded',
  REFUNDED: 'refunded',
  CANCELED: 'canceled',
  CLOSED: 'closed',
};
