export { WALLETS } from '@paystream/codes';
export * from './client.js';
export * from './notification.js';
export * from './redact.js';
export * from './signer.js';
export * from './types.js';
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
export * from './wire-time.js';
