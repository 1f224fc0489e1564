// A notify callback signed the way the aggregator signs it (the sandbox's merchant), for suites
// that send one themselves: forged, stale, mismatched or genuine.
import { formatWireTimestamp, hmacSha256Signer } from '@paystream/upstream-client';
import { SANDBOX_DEV_CREDENTIALS } from '@paystream/upstream-sandbox';

/** A signed notify for a 10.00 HKD WECHATHK order; `over` changes fields before signing. */
export function notification(
  outTradeNo: string,
  over: Record<string, unknown> = {},
  key = SANDBOX_DEV_CREDENTIALS.privateKey,
) {
  const params: Record<string, unknown> = {
    notify_id: `n-${outTradeNo}-${Math.random()}`,
    notify_type: 'TRADE_SUCCESS',
    out_trade_no: outTradeNo,
    trade_no: `T${outTradeNo}`,
    status: 'PAID',
    transaction_amount: '10.00',
    currency: 'HKD',
    paytype: 'WeChat',
    wallet: 'WECHATHK',
    paid_at: new Date().toISOString(),
    User_Confirm_Key: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
    timestamp: formatWireTimestamp(new Date()),
    sign_type: 'HMAC-SHA256',
    ...over,
  };
  params.sign = hmacSha256Signer.sign(params, key);
  return params;
}
