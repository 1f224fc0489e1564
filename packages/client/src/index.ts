export * from './client.js';
export * from './errors.js';
export type { components, operations, paths } from './generated/gateway.js';
export * from './money.js';
export type { RetryOptions } from './retry.js';
export { DEFAULT_RETRY } from './retry.js';
export * from './types.js';
