import { PAYTYPE_OF_WALLET, type WireWallet } from '@paystream/upstream-client';
import { answer, type WireAnswer } from './answer.js';
import type { SandboxOrder } from './state.js';

export function isWireWallet(value: unknown): value is WireWallet {
  return typeof value === 'string' && Object.hasOwn(PAYTYPE_OF_WALLET, value);
}

/** Code 04: a request that names a wallet must name the order's. */
export function walletMismatch(
  params: { paytype?: string | undefined; wallet?: string | undefined; wallet_region?: string | undefined },
  order: SandboxOrder,
): WireAnswer | undefined {
  const differs =
    (params.paytype !== undefined && params.paytype !== order.paytype) ||
    (params.wallet !== undefined && params.wallet !== order.wallet) ||
    (params.wallet_region !== undefined &&
      order.walletRegion !== undefined &&
      params.wallet_region !== order.walletRegion);
  return differs ? answer('04') : undefined;
}
