export * from './appendix.js';
export * from './catalog.js';
export * from './order-status.js';
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
export * from './wallets.js';
