// Example answers for the OpenAPI document.
const NOW = '2026-01-15T08:30:00.000Z';

export { NOW };

export const paymentExample = {
  outTradeNo: 'order-1001',
  status: 'pending',
  amount: '12.34',
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundedAmount: '0.00',
  upstreamTradeNo: 'T20260115163000000001',
  qrCodeUrl: 'weixin://wxpay/bizpayurl?pr=abc123',
  payUrl: 'https://pay.example/T20260115163000000001',
  lastCode: '00',
  createdAt: NOW,
  updatedAt: NOW,
  refunds: [],
};

export const refundExample = {
  outTradeNo: 'order-1001',
  refundNo: 'order-1001-r1',
  status: 'succeeded',
  amount: '2.00',
  currency: 'HKD',
  refundedAmount: '2.00',
  upstreamRefundNo: 'R20260115170000000001',
  refundedAt: NOW,
  lastCode: '00',
};

export const unknownCreate = {
  outTradeNo: 'order-1001',
  status: 'unknown',
  amount: '12.34',
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundedAmount: '0.00',
  createdAt: NOW,
  updatedAt: NOW,
  refunds: [],
  detail: 'create timed out; the query timed out',
};

export const refundPending = {
  outTradeNo: 'order-1001',
  refundNo: 'order-1001-r1',
  status: 'pending',
  amount: '2.00',
  currency: 'HKD',
  refundedAmount: '0.00',
  outcome: 'unknown',
  detail: 'refund timed out; the query timed out',
};

export const notifyExample = {
  notify_id: 'N20260115163500000001',
  notify_type: 'TRADE_SUCCESS',
  out_trade_no: 'order-1001',
  trade_no: 'T20260115163000000001',
  status: 'PAID',
  transaction_amount: '12.34',
  currency: 'HKD',
  paytype: 'WeChat',
  wallet: 'WECHATHK',
  paid_at: NOW,
  User_Confirm_Key: 'merchant-key',
  timestamp: '20260115163500',
  sign_type: 'HMAC-SHA256',
  sign: '3f1c…',
};
