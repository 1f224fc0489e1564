import { createLedgerEntryPosted } from '@paystream/plugin-sdk';
import { describe, expect, it } from 'vitest';
import { entryBody } from './body.js';
import { retryDelay } from './deliver.js';
import { DEFAULT_RETRY_SCHEDULE_MS } from './plugin.js';

describe('erp-webhook', () => {
  it('follows the documented schedule and repeats its last step', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => retryDelay(DEFAULT_RETRY_SCHEDULE_MS, n))).toEqual([
      1_000, 5_000, 15_000, 30_000, 60_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('sends amounts as decimal strings and minor units, the refund when there is one', () => {
    const event = createLedgerEntryPosted(
      {
        entryId: 'e1',
        eventId: 'ev1',
        eventType: 'refund.succeeded',
        outTradeNo: 'O-1',
        refundNo: 'R-1',
        wallet: 'WECHATHK',
        postings: [
          { account: 'expenses:refunds', side: 'debit', amountMinor: 300, currency: 'HKD' },
          { account: 'assets:clearing:WECHATHK', side: 'credit', amountMinor: 300, currency: 'HKD' },
        ],
        postedAt: '2026-01-01T00:00:00.000Z',
      },
      { source: 'test' },
    );
    const body = entryBody(event, new Date(0));
    expect(body.type).toBe('ledger.entry.posted');
    expect(body.data).toMatchObject({ entryId: 'e1', refundNo: 'R-1', outTradeNo: 'O-1' });
    expect(body.data.postings[0]).toEqual({
      account: 'expenses:refunds',
      side: 'debit',
      amount: '3.00',
      amountMinor: 300,
      currency: 'HKD',
    });
  });
});
