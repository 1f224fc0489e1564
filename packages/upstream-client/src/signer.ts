import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How requests and notify callbacks are signed. The aggregator's real scheme can slot in here
 * without touching callers: the client, the sandbox and `verifyNotification` all take a Signer.
 */
export interface Signer {
  /** Sent on the wire as `sign_type`, so both ends can refuse a scheme they do not speak. */
  readonly name: string;
  sign(params: Record<string, unknown>, secret: string): string;
  verify(params: Record<string, unknown>, secret: string, signature: string): boolean;
}

/** Fields never covered by the signature: the signature itself. */
const UNSIGNED_FIELDS = new Set(['sign']);

/**
 * The canonical string a signature covers: keys sorted by code point, `sign` left out, empty
 * values (undefined, null, "") left out so optional fields do not change the digest, nested
 * values as JSON. `k1=v1&k2=v2`.
 */
export function canonicalString(params: Record<string, unknown>): string {
  return Object.keys(params)
    .filter((key) => !UNSIGNED_FIELDS.has(key))
    .filter((key) => params[key] !== undefined && params[key] !== null && params[key] !== '')
    .sort()
    .map((key) => {
      const value = params[key];
      return `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
    })
    .join('&');
}

/** HMAC-SHA256 (hex, lower case) over `canonicalString`, keyed by the private key. */
export const hmacSha256Signer: Signer = Object.freeze({
  name: 'HMAC-SHA256',
  sign(params: Record<string, unknown>, secret: string): string {
    return createHmac('sha256', secret).update(canonicalString(params), 'utf8').digest('hex');
  },
  verify(params: Record<string, unknown>, secret: string, signature: string): boolean {
    const expected = Buffer.from(hmacSha256Signer.sign(params, secret), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    // Length check first: timingSafeEqual throws on unequal lengths, and length is not secret.
    return expected.length === given.length && timingSafeEqual(expected, given);
  },
});
