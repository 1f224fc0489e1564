import { describe, expect, it } from 'vitest';
import { verifyNotification } from './notification.js';
import { hmacSha256Signer } from './signer.js';
import { formatWireTimestamp } from './wire-time.js';

const credentials = { userConfirmKey: 'ck', privateKey: 'pk' };
const now = new Date('2025-03-01T00:00:00Z');

function signed(over: Record<string, unknown> = {}) {
  const params: Record<string, unknown> = {
    notify_id: 'n-1',
    notify_type: 'TRADE_SUCCESS',
    out_trade_no: 'A1',
    trade_no: 'U1',
    status: 'PAID',
    transaction_amount: '12.30',
    currency: 'HKD',
    paytype: 'WeChat',
    wallet: 'WECHATHK',
    paid_at: now.toISOString(),
    User_Confirm_Key: 'ck',
    timestamp: formatWireTimestamp(now),
    sign_type: 'HMAC-SHA256',
    ...over,
  };
  params.sign = hmacSha256Signer.sign(params, 'pk');
  return JSON.stringify(params);
}

describe('verifyNotification', () => {
  it('accepts a signed callback and converts the amount to minor units', () => {
    expect(verifyNotification(Buffer.from(signed()), credentials, { now })).toEqual({
      ok: true,
      notification: {
        notifyId: 'n-1',
        outTradeNo: 'A1',
        upstreamTradeNo: 'U1',
        status: 'paid',
        amount: 1230,
        currency: 'HKD',
        wallet: 'WECHATHK',
        paidAt: now.toISOString(),
        timestamp: formatWireTimestamp(now),
      },
    });
  });

  it('answers 13 for a bad timestamp, 12 outside the tolerance, 10 for another merchant key', () => {
    expect(verifyNotification(signed({ timestamp: 'yesterday' }), credentials, { now })).toMatchObject({
      code: '13',
    });
    const old = formatWireTimestamp(new Date(now.getTime() - 301_000));
    expect(verifyNotification(signed({ timestamp: old }), credentials, { now })).toMatchObject({
      code: '12',
    });
    expect(
      verifyNotification(signed({ timestamp: old }), credentials, { now, toleranceSeconds: 400 }).ok,
    ).toBe(true);
    expect(verifyNotification(signed({ User_Confirm_Key: 'other' }), credentials, { now })).toMatchObject({
      code: '10',
    });
    expect(verifyNotification(signed({ sign_type: 'MD5' }), credentials, { now })).toMatchObject({
      code: '10',
    });
  });
});
