export { WALLETS } from '@paystream/codes';
export {
  createUpstreamClient,
  DEFAULT_UPSTREAM_CONNECTIONS,
  DEFAULT_UPSTREAM_PIPELINING,
} from './client.js';
export type { VerifyNotificationOptions, VerifyNotificationResult } from './notification.js';
export { verifyNotification } from './notification.js';
export { redact } from './redact.js';
export type { Signer } from './signer.js';
export { canonicalString, hmacSha256Signer } from './signer.js';
export type {
  CallOperation,
  CallOptions,
  Canceled,
  Closed,
  CreatedPayment,
  CreatePaymentInput,
  OrderRef,
  Outcome,
  PaymentState,
  PaymentStatus,
  RefundDone,
  RefundPaymentInput,
  RefundRecord,
  ResultInfo,
  UnknownReason,
  UpstreamClient,
  UpstreamClientOptions,
  UpstreamCredentials,
  UpstreamLogger,
  UpstreamNotification,
  UpstreamPoolStats,
  UpstreamResult,
  Wallet,
} from './types.js';
export type {
  WirePaytype,
  WireRegion,
  WireStatus,
  WireWallet,
  WireWalletFields,
} from './wire.js';
export {
  fromWireWallet,
  PAYTYPE_OF_WALLET,
  QUERY_TYPE,
  toWireWallet,
  WIRE_PATHS,
  WIRE_STATUSES,
  wireNotification,
} from './wire.js';
export { formatWireTimestamp, hongKongDay, parseWireTimestamp } from './wire-time.js';
