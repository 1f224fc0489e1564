import { describe, expect, it } from 'vitest';
import {
  createEvent,
  createLedgerEntryPosted,
  EventValidationError,
  fromKafkaMessage,
  type PaymentEventData,
  paymentEventDataSchema,
  readKafkaMessage,
  toKafkaMessage,
} from './index.js';

const data = (over: Partial<PaymentEventData> = {}): PaymentEventData => ({
  outTradeNo: 'ORD-1',
  sequence: 1,
  operation: 'refund',
  code: '00',
  category: 'success',
  amountMinor: 1234,
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundNo: 'R-1',
  refundAmountMinor: 200,
  occurredAt: '2026-01-02T03:04:05.000Z',
  ...over,
});

describe('tolerant consumer reading', () => {
  it('reads a refund with its refund number typed, and drops fields it does not know', () => {
    const m = toKafkaMessage(createEvent('refund.succeeded', data(), { source: 's', id: 'e1' }));
    const value = JSON.stringify({ ...JSON.parse(String(m.value)), loyaltyPoints: 12 });
    const r = readKafkaMessage({ ...m, value });
    expect(r.kind).toBe('event');
    if (r.kind !== 'event' || r.event.type !== 'refund.succeeded') throw new Error('not a refund');
    const refundNo: string = r.event.data.refundNo;
    expect(refundNo).toBe('R-1');
    expect(r.event.data).not.toHaveProperty('loyaltyPoints');
    // The producer's strict reading refuses the same record: that is what used to dead-letter it.
    expect(() => fromKafkaMessage({ ...m, value })).toThrow(/loyaltyPoints|Unrecognized/);
  });

  it('reports a type it does not know instead of failing', () => {
    const m = toKafkaMessage(
      createEvent('payment.created', data({ operation: 'create' }), { source: 's', id: 'e2' }),
    );
    const r = readKafkaMessage({ ...m, headers: { ...m.headers, ce_type: 'payment.disputed' } });
    expect(r).toEqual({ kind: 'unknown_type', type: 'payment.disputed', id: 'e2' });
  });

  it('still names the fields a consumer needs when they are missing', () => {
    const m = toKafkaMessage(createEvent('refund.succeeded', data(), { source: 's', id: 'e3' }));
    const { refundNo: _, ...rest } = JSON.parse(String(m.value));
    try {
      readKafkaMessage({ ...m, value: JSON.stringify({ ...rest, amountMinor: -1 }) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EventValidationError);
      expect((err as EventValidationError).message).toMatch(/data\.amountMinor/);
    }
    expect(() => readKafkaMessage({ ...m, value: JSON.stringify(rest) })).toThrow(/data\.refundNo/);
  });

  it('keeps every field the producer schema defines (the reader is derived from it)', () => {
    const full = data({
      message: 'ok',
      refundedTotalMinor: 200,
      upstreamTradeNo: 'U-1',
      caller: 'shop',
      metadata: { cart: 'c1' },
    });
    expect(Object.keys(full).sort()).toEqual(Object.keys(paymentEventDataSchema.shape).sort());
    const event = createEvent('refund.succeeded', full, { source: 's', id: 'e4' });
    const r = readKafkaMessage(toKafkaMessage(event));
    expect(r).toEqual({ kind: 'event', event });
  });
});

describe('ledger.entry.posted', () => {
  const entry = {
    entryId: 'le-1',
    eventId: 'e1',
    eventType: 'payment.succeeded' as const,
    outTradeNo: 'ORD-1',
    wallet: 'WECHATHK',
    postedAt: '2026-01-02T03:04:05.000Z',
    postings: [
      {
        account: 'assets:clearing:WECHATHK',
        side: 'debit' as const,
        amountMinor: 500,
        currency: 'HKD' as const,
      },
      { account: 'revenue:sales', side: 'credit' as const, amountMinor: 500, currency: 'HKD' as const },
    ],
  };

  it('is keyed by the order and travels in the same binding', () => {
    const m = toKafkaMessage(createLedgerEntryPosted(entry, { source: '/paystream/plugins/accounting' }));
    expect(m.key).toBe('ORD-1');
    expect(m.headers.ce_type).toBe('ledger.entry.posted');
    expect(m.headers.ce_id).toBe('le-1');
  });

  it('refuses an unbalanced entry', () => {
    const bad = { ...entry, postings: [entry.postings[0]!, { ...entry.postings[1]!, amountMinor: 499 }] };
    expect(() => createLedgerEntryPosted(bad, { source: 's' })).toThrow(/debits must equal credits/);
  });
});
