import { describe, expect, it } from 'vitest';
import { createLedgerEntryPosted } from './ledger.js';
import { readLedgerEvent } from './read-ledger.js';
import { EventValidationError } from './validate.js';

const entry = () =>
  createLedgerEntryPosted(
    {
      entryId: 'e-1',
      eventId: 'ev-1',
      eventType: 'payment.succeeded',
      outTradeNo: 'ORD-1',
      wallet: 'WECHATHK',
      postings: [
        { account: 'assets:clearing:WECHATHK', side: 'debit', amountMinor: 1234, currency: 'HKD' },
        { account: 'income:sales', side: 'credit', amountMinor: 1234, currency: 'HKD' },
      ],
      postedAt: '2026-01-02T03:04:05.000Z',
    },
    { source: 'test' },
  );

describe('readLedgerEvent (tolerant consumer of ledger.entry.posted)', () => {
  it('reads an entry and drops fields it does not know', () => {
    const value = { ...entry(), extra: 1, data: { ...entry().data, newField: 'x' } };
    const read = readLedgerEvent(value);
    expect(read.kind).toBe('event');
    if (read.kind !== 'event') return;
    expect(read.event.data.postings).toHaveLength(2);
    expect(read.event.data).not.toHaveProperty('newField');
  });

  it('reports another type instead of failing', () => {
    expect(readLedgerEvent({ ...entry(), type: 'ledger.entry.reversed' })).toEqual({
      kind: 'unknown_type',
      type: 'ledger.entry.reversed',
      id: 'e-1',
    });
  });

  it('names the bad field, and refuses an unbalanced entry', () => {
    const e = entry();
    expect(() => readLedgerEvent({ ...e, data: { ...e.data, outTradeNo: '' } })).toThrow(/data.outTradeNo/);
    const unbalanced = {
      ...e,
      data: { ...e.data, postings: [e.data.postings[0], { ...e.data.postings[1], amountMinor: 1 }] },
    };
    expect(() => readLedgerEvent(unbalanced)).toThrow(EventValidationError);
    expect(() => readLedgerEvent(unbalanced)).toThrow(/debits must equal credits in HKD/);
  });
});
