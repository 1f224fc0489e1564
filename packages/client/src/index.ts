export type { CallOptions, PaystreamClient, PaystreamClientOptions } from './client.js';
export { createPaystreamClient } from './client.js';
export type { FieldError } from './errors.js';
export {
  PaystreamAbortedError,
  PaystreamError,
  PaystreamProblemError,
  PaystreamProtocolError,
  PaystreamUnavailableError,
} from './errors.js';
export type { components, operations, paths } from './generated/gateway.js';
export { fromMinorUnits, toMinorUnits } from './money.js';
export type { RetryOptions } from './retry.js';
export { DEFAULT_RETRY } from './retry.js';
export type {
  CreatePaymentInput,
  Outcome,
  Payment,
  ProblemDocument,
  Refund,
  RefundInput,
  RetryAdvice,
} from './types.js';
