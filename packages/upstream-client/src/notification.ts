import { type MinorUnits, tryParseAmount } from '@paystream/money';
import { hmacSha256Signer, type Signer } from './signer.js';
import type { UpstreamCredentials, UpstreamNotification } from './types.js';
import { fromWireWallet, wireNotification } from './wire.js';
import { parseWireTimestamp } from './wire-time.js';

export interface VerifyNotificationOptions {
  now?: Date;
  /** Allowed clock difference between the aggregator and us. Default 300. */
  toleranceSeconds?: number;
  signer?: Signer;
}

export type VerifyNotificationResult =
  | { ok: true; notification: UpstreamNotification }
  | { ok: false; code: '10' | '12' | '13' | '-13'; reason: string };

/**
 * Verifies the aggregator's notify callback: JSON (`-13`), timestamp format (`13`), clock skew
 * (`12`), then the signature and the confirm key (`10`). Reasons never include the secrets.
 */
export function verifyNotification(
  rawBody: string | Buffer,
  credentials: UpstreamCredentials,
  opts: VerifyNotificationOptions = {},
): VerifyNotificationResult {
  const signer = opts.signer ?? hmacSha256Signer;
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { ok: false, code: '-13', reason: 'body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: '-13', reason: 'body is not a JSON object' };
  }
  const params = json as Record<string, unknown>;
  const sentAt = parseWireTimestamp(params.timestamp);
  if (!sentAt) return { ok: false, code: '13', reason: 'timestamp is not yyyyMMddHHmmss' };
  const now = opts.now ?? new Date();
  const tolerance = (opts.toleranceSeconds ?? 300) * 1000;
  if (Math.abs(now.getTime() - sentAt.getTime()) > tolerance) {
    return { ok: false, code: '12', reason: 'timestamp outside the allowed clock skew' };
  }
  const sign = params.sign;
  if (typeof sign !== 'string' || sign === '' || params.sign_type !== signer.name) {
    return { ok: false, code: '10', reason: 'missing signature or unsupported sign_type' };
  }
  // A key compare that leaks nothing through timing is not needed here: the signature check
  // below is constant-time and covers the key too, since User_Confirm_Key is a signed field.
  if (
    params.User_Confirm_Key !== credentials.userConfirmKey ||
    !signer.verify(params, credentials.privateKey, sign)
  ) {
    return { ok: false, code: '10', reason: 'signature does not verify' };
  }
  const parsed = wireNotification.safeParse(params);
  if (!parsed.success)
    return { ok: false, code: '-13', reason: 'notification fields do not match the contract' };
  const n = parsed.data;
  const amount = tryParseAmount(n.transaction_amount, n.currency);
  const wallet = fromWireWallet(n);
  if (!amount.ok || !wallet) return { ok: false, code: '-13', reason: 'amount or wallet unreadable' };
  return {
    ok: true,
    notification: {
      notifyId: n.notify_id,
      outTradeNo: n.out_trade_no,
      upstreamTradeNo: n.trade_no,
      status: 'paid',
      amount: amount.value as MinorUnits,
      currency: n.currency,
      wallet,
      paidAt: n.paid_at,
      timestamp: n.timestamp,
    },
  };
}
