import { describe, expect, it } from 'vitest';
import { bookingFor, clearingAccount, refundsAccount, salesAccount } from './chart.js';

const base = {
  specversion: '1.0' as const,
  id: 'e1',
  source: 's',
  subject: 'ORD-1',
  time: '2026-01-01T00:00:00.000Z',
  datacontenttype: 'application/json' as const,
};
const data = {
  outTradeNo: 'ORD-1',
  sequence: 2,
  operation: 'notify' as const,
  code: '00',
  category: 'success',
  amountMinor: 1234,
  currency: 'HKD' as const,
  wallet: 'ALIPAYHK' as const,
  occurredAt: '2026-01-01T00:00:00.000Z',
};

describe('bookingFor', () => {
  it('books a payment as clearing (debit) against sales (credit), per wallet', () => {
    const b = bookingFor({ ...base, type: 'payment.succeeded', data });
    expect(b).toEqual({
      key: 'payment:ORD-1',
      currency: 'HKD',
      postings: [
        { account: 'assets:clearing:ALIPAYHK', side: 'debit', amountMinor: 1234, currency: 'HKD' },
        { account: 'income:sales', side: 'credit', amountMinor: 1234, currency: 'HKD' },
      ],
    });
  });

  it('books a refund of its own amount, per calling service when the order names one', () => {
    const b = bookingFor({
      ...base,
      type: 'refund.succeeded',
      data: { ...data, refundNo: 'R1', refundAmountMinor: 200, metadata: { caller: 'shop' } },
    });
    expect(b.key).toBe('refund:ORD-1:R1');
    expect(b.postings).toEqual([
      { account: refundsAccount('shop'), side: 'debit', amountMinor: 200, currency: 'HKD' },
      { account: clearingAccount('ALIPAYHK'), side: 'credit', amountMinor: 200, currency: 'HKD' },
    ]);
    expect(salesAccount('shop')).toBe('income:sales:shop');
  });
});
