import { parseWireTimestamp, type Signer } from '@paystream/upstream-client';
import { answer, type WireAnswer } from './answer.js';
import type { SandboxMerchant } from './state.js';

export interface AuthContext {
  merchants: ReadonlyMap<string, SandboxMerchant>;
  signer: Signer;
  now: () => Date;
  toleranceMs: number;
}

/**
 * The aggregator's gate, in the order it checks: who (11, -11, -12), whether they may (22, 23),
 * when (13, 12), and that the secret signed it (10).
 */
export function authenticate(
  params: Record<string, unknown>,
  ctx: AuthContext,
): { ok: true; merchant: SandboxMerchant } | { ok: false; answer: WireAnswer } {
  const key = params.User_Confirm_Key;
  if (typeof key !== 'string' || key === '') return { ok: false, answer: answer('11') };
  const sign = params.sign;
  if (typeof sign !== 'string' || sign === '') return { ok: false, answer: answer('-11') };
  const merchant = ctx.merchants.get(key);
  if (!merchant) return { ok: false, answer: answer('-12') };
  if (merchant.userActive === false) return { ok: false, answer: answer('22') };
  if (merchant.merchantActive === false) return { ok: false, answer: answer('23') };
  const sentAt = parseWireTimestamp(params.timestamp);
  if (!sentAt) return { ok: false, answer: answer('13') };
  if (Math.abs(ctx.now().getTime() - sentAt.getTime()) > ctx.toleranceMs) {
    return { ok: false, answer: answer('12') };
  }
  if (params.sign_type !== ctx.signer.name || !ctx.signer.verify(params, merchant.privateKey, sign)) {
    return { ok: false, answer: answer('10') };
  }
  return { ok: true, merchant };
}
