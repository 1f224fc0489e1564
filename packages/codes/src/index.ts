export type { AppendixEntry } from './appendix.js';
export { compareWithAppendix, parseAppendix } from './appendix.js';
export type { StatusCode } from './catalog.js';
export {
  catalog,
  describe,
  entriesFor,
  isStatusCode,
  STATUS_CODES,
  SUCCESS_CODE,
} from './catalog.js';
export type { OrderStatus, UpstreamOrderStatus, WireOrderStatus } from './order-status.js';
export { ORDER_STATUSES, UPSTREAM_ORDER_STATUS } from './order-status.js';
export type {
  CatalogEntry,
  Category,
  CodeVariant,
  DescribeContext,
  Operation,
  RetryAdvice,
  Severity,
} from './types.js';
export { OPERATIONS } from './types.js';
export type { Wallet } from './wallets.js';
export { isWallet, payTypeOf, WALLETS } from './wallets.js';
