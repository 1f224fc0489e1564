import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalString, hmacSha256Signer } from './signer.js';

describe('canonicalString', () => {
  it('sorts keys, drops sign and empty values, writes nested values as JSON', () => {
    expect(
      canonicalString({ b: '2', a: 1, sign: 'x', empty: '', nil: null, none: undefined, o: { k: 1 } }),
    ).toBe('a=1&b=2&o={"k":1}');
  });
});

describe('hmacSha256Signer', () => {
  const params = { out_trade_no: 'A1', transaction_amount: '12.34', timestamp: '20250131120000' };

  it('is HMAC-SHA256 hex over the canonical string', () => {
    const expected = createHmac('sha256', 'secret')
      .update('out_trade_no=A1&timestamp=20250131120000&transaction_amount=12.34')
      .digest('hex');
    expect(hmacSha256Signer.sign(params, 'secret')).toBe(expected);
  });

  it('verifies its own signature and rejects a changed field, key or length', () => {
    const sign = hmacSha256Signer.sign(params, 'secret');
    expect(hmacSha256Signer.verify({ ...params, sign }, 'secret', sign)).toBe(true);
    expect(hmacSha256Signer.verify({ ...params, transaction_amount: '12.35' }, 'secret', sign)).toBe(false);
    expect(hmacSha256Signer.verify(params, 'other', sign)).toBe(false);
    expect(hmacSha256Signer.verify(params, 'secret', sign.slice(1))).toBe(false);
  });
});
