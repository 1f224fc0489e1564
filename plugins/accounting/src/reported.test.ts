// The gateway's figures of an order, from the events the plugin consumed.
import { expect, it } from 'vitest';
import { createdAt, gatewayFigures, orderOf, type ReportedEvent } from './reported.js';

let sequence = 0;
const e = (eventType: string, o: Partial<ReportedEvent> = {}): ReportedEvent => ({
  eventType,
  outTradeNo: 'O1',
  sequence: ++sequence,
  wallet: 'WECHATHK',
  currency: 'HKD',
  amountMinor: 1000,
  refundAmountMinor: null,
  refundedTotalMinor: null,
  occurredAt: '2026-03-05T10:00:00.000Z',
  ...o,
});

it('adds payments, refunds and what a cancel of a paid order gave back', () => {
  expect(
    gatewayFigures([
      e('payment.created'),
      e('payment.succeeded'),
      e('refund.succeeded', { refundAmountMinor: 300, refundedTotalMinor: 300 }),
      e('payment.canceled'),
    ]),
  ).toEqual({ paidMinor: 1000, refundedMinor: 300, reversedMinor: 700 });
  // A cancel of an order never paid gives nothing back; a payment after close is paid money.
  expect(
    gatewayFigures([e('payment.created'), e('payment.canceled'), e('payment.paid_after_close')]),
  ).toEqual({ paidMinor: 1000, refundedMinor: 0, reversedMinor: 0 });
});

it("takes a refund event's refunded total: a refund whose event never came still counts", () => {
  expect(
    gatewayFigures([
      e('payment.succeeded'),
      // R1 (300) was never consumed; R2 says the order has 500 refunded.
      e('refund.succeeded', { refundAmountMinor: 200, refundedTotalMinor: 500 }),
    ]),
  ).toEqual({ paidMinor: 1000, refundedMinor: 500, reversedMinor: 0 });
});

it('dates and places an order by its creation, else by its earliest event', () => {
  const created = e('payment.created', {
    occurredAt: '2026-03-05T15:59:00.000Z',
    wallet: 'ALIPAYCN',
    currency: 'CNY',
  });
  const paid = e('payment.succeeded', { occurredAt: '2026-03-05T16:00:30.000Z' });
  expect(createdAt([created, paid])).toBe('2026-03-05T15:59:00.000Z');
  expect(orderOf([paid, created])).toEqual({ wallet: 'ALIPAYCN', currency: 'CNY' });
  const refund = e('refund.succeeded', { occurredAt: '2026-03-06T01:00:00.000Z' });
  expect(createdAt([refund, paid])).toBe('2026-03-05T16:00:30.000Z');
  expect(orderOf([paid, refund])).toEqual({ wallet: 'WECHATHK', currency: 'HKD' });
});
