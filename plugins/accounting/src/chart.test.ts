import type { EventDataOf } from '@paystream/plugin-sdk';
import { describe, expect, it } from 'vitest';
import {
  accountCaller,
  type BookedEvent,
  bookingFor,
  clearingAccount,
  heldAfter,
  LATE_PAYMENTS_ACCOUNT,
  NOTHING_HELD,
  refundsAccount,
  reversalsAccount,
  salesAccount,
} from './chart.js';

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
const paid = (over: Partial<EventDataOf<'payment.succeeded'>> = {}): BookedEvent => ({
  ...base,
  type: 'payment.succeeded',
  data: { ...data, ...over },
});
const refund = (amount: number, over: Partial<EventDataOf<'refund.succeeded'>> = {}): BookedEvent => ({
  ...base,
  type: 'refund.succeeded',
  data: { ...data, operation: 'refund', refundNo: 'R1', refundAmountMinor: amount, ...over },
});
const canceled = (over: Partial<EventDataOf<'payment.canceled'>> = {}): BookedEvent => ({
  ...base,
  type: 'payment.canceled',
  data: { ...data, operation: 'cancel', ...over },
});
const late: BookedEvent = { ...base, type: 'payment.paid_after_close', data };

describe('accounts named after the caller', () => {
  it('book a payment as clearing (debit) against sales (credit), per wallet, unqualified without a caller', () => {
    expect(bookingFor(paid())).toEqual({
      key: 'payment:ORD-1',
      currency: 'HKD',
      postings: [
        { account: 'assets:clearing:ALIPAYHK', side: 'debit', amountMinor: 1234, currency: 'HKD' },
        { account: 'income:sales', side: 'credit', amountMinor: 1234, currency: 'HKD' },
      ],
    });
  });

  it('take the authenticated caller (data.caller), never the caller the metadata claims', () => {
    const b = bookingFor(paid({ caller: 'svc-a', metadata: { caller: 'svc-b' } }));
    expect(b?.postings.map((p) => p.account)).toEqual(['assets:clearing:ALIPAYHK', 'income:sales:svc-a']);
    // Metadata alone names no account.
    expect(bookingFor(paid({ metadata: { caller: 'svc-b' } }))?.postings[1]?.account).toBe('income:sales');
    const r = bookingFor(refund(200, { caller: 'svc-a', metadata: { caller: 'svc-b' } }));
    expect(r).toEqual({
      key: 'refund:ORD-1:R1',
      currency: 'HKD',
      postings: [
        { account: 'income:refunds:svc-a', side: 'debit', amountMinor: 200, currency: 'HKD' },
        { account: 'assets:clearing:ALIPAYHK', side: 'credit', amountMinor: 200, currency: 'HKD' },
      ],
    });
  });

  it('fall back to the plain account for a caller that is not a safe name', () => {
    for (const bad of ['', 'a:b', 'svc a', 'x'.repeat(65), 'svc\n', 'ünï']) {
      expect(accountCaller(bad)).toBeUndefined();
      expect(salesAccount(bad)).toBe('income:sales');
      expect(bookingFor(paid({ caller: bad }))?.postings[1]?.account).toBe('income:sales');
    }
    expect(accountCaller('A-z_0.9')).toBe('A-z_0.9');
    expect(refundsAccount('x'.repeat(64))).toBe(`income:refunds:${'x'.repeat(64)}`);
    expect(reversalsAccount(undefined)).toBe('income:reversals');
    expect(clearingAccount('WECHATHK')).toBe('assets:clearing:WECHATHK');
  });
});

describe('reversals (a cancel of a paid order)', () => {
  const afterSale = heldAfter(NOTHING_HELD, bookingFor(paid())!.postings);

  it('reverse the whole sale into the reversals contra account', () => {
    expect(afterSale).toEqual({ heldMinor: 1234, lateMinor: 0 });
    const b = bookingFor(canceled({ caller: 'shop' }), afterSale);
    expect(b).toEqual({
      key: 'reversal:ORD-1',
      currency: 'HKD',
      postings: [
        { account: 'income:reversals:shop', side: 'debit', amountMinor: 1234, currency: 'HKD' },
        { account: 'assets:clearing:ALIPAYHK', side: 'credit', amountMinor: 1234, currency: 'HKD' },
      ],
    });
    expect(heldAfter(afterSale, b!.postings)).toEqual(NOTHING_HELD);
  });

  it('reverse what partial refunds left, never more', () => {
    const afterRefund = heldAfter(afterSale, bookingFor(refund(300))!.postings);
    expect(afterRefund).toEqual({ heldMinor: 934, lateMinor: 0 });
    expect(bookingFor(canceled(), afterRefund)?.postings).toEqual([
      { account: 'income:reversals', side: 'debit', amountMinor: 934, currency: 'HKD' },
      { account: 'assets:clearing:ALIPAYHK', side: 'credit', amountMinor: 934, currency: 'HKD' },
    ]);
    // The aggregator's refunded total, when the event carries it, caps the reversal too.
    expect(bookingFor(canceled({ refundedTotalMinor: 1000 }), afterSale)?.postings[0]?.amountMinor).toBe(234);
    // Never more than the order's amount, whatever the ledger holds.
    expect(bookingFor(canceled(), { heldMinor: 5000, lateMinor: 0 })?.postings[0]?.amountMinor).toBe(1234);
  });

  it('book nothing for a cancel of an order that holds nothing', () => {
    expect(bookingFor(canceled())).toBeNull();
    expect(bookingFor(canceled(), { heldMinor: 0, lateMinor: 0 })).toBeNull();
    expect(bookingFor(canceled({ refundedTotalMinor: 1234 }), afterSale)).toBeNull();
  });
});

describe('payments after close', () => {
  it('go into clearing against the late-payments liability, not sales', () => {
    const b = bookingFor(late);
    expect(b).toEqual({
      key: 'late-payment:ORD-1',
      currency: 'HKD',
      postings: [
        { account: 'assets:clearing:ALIPAYHK', side: 'debit', amountMinor: 1234, currency: 'HKD' },
        { account: LATE_PAYMENTS_ACCOUNT, side: 'credit', amountMinor: 1234, currency: 'HKD' },
      ],
    });
    expect(LATE_PAYMENTS_ACCOUNT).toBe('liabilities:late-payments');
    expect(heldAfter(NOTHING_HELD, b!.postings)).toEqual({ heldMinor: 1234, lateMinor: 1234 });
  });

  it('are given back by refunds that debit the liability, and by a reversal', () => {
    const held = heldAfter(NOTHING_HELD, bookingFor(late)!.postings);
    const r = bookingFor(refund(1000, { caller: 'shop' }), held);
    expect(r?.postings).toEqual([
      { account: LATE_PAYMENTS_ACCOUNT, side: 'debit', amountMinor: 1000, currency: 'HKD' },
      { account: 'assets:clearing:ALIPAYHK', side: 'credit', amountMinor: 1000, currency: 'HKD' },
    ]);
    const left = heldAfter(held, r!.postings);
    expect(left).toEqual({ heldMinor: 234, lateMinor: 234 });
    expect(bookingFor(canceled(), left)?.postings).toEqual([
      { account: LATE_PAYMENTS_ACCOUNT, side: 'debit', amountMinor: 234, currency: 'HKD' },
      { account: 'assets:clearing:ALIPAYHK', side: 'credit', amountMinor: 234, currency: 'HKD' },
    ]);
  });

  it('leave a refund beyond what the order holds on refunds, split from the liability part', () => {
    // A sale of 100 and a late payment of 1234 held: the sale's part first, then the late payment's.
    const r = bookingFor(refund(1500), { heldMinor: 1334, lateMinor: 1234 });
    expect(r?.postings).toEqual([
      { account: 'income:refunds', side: 'debit', amountMinor: 266, currency: 'HKD' },
      { account: LATE_PAYMENTS_ACCOUNT, side: 'debit', amountMinor: 1234, currency: 'HKD' },
      { account: 'assets:clearing:ALIPAYHK', side: 'credit', amountMinor: 1500, currency: 'HKD' },
    ]);
  });
});
