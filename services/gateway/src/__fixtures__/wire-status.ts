import { type OrderStatus, UPSTREAM_ORDER_STATUS } from '@paystream/codes';

/** The sandbox's order status as the gateway names it: what a settled record must say. */
export const STATUS_OF_WIRE: Readonly<Record<string, OrderStatus>> = UPSTREAM_ORDER_STATUS;
