import { formatAmount, type LedgerEntryPostedEvent } from '@paystream/plugin-sdk';

/** The JSON the ERP receives for one journal entry (Standard Webhooks event shape: type, timestamp, data). */
export function entryBody(event: LedgerEntryPostedEvent, now: Date) {
  const d = event.data;
  return {
    type: 'ledger.entry.posted',
    timestamp: now.toISOString(),
    data: {
      entryId: d.entryId,
      eventId: d.eventId,
      eventType: d.eventType,
      outTradeNo: d.outTradeNo,
      ...(d.refundNo !== undefined ? { refundNo: d.refundNo } : {}),
      wallet: d.wallet,
      postedAt: d.postedAt,
      // Decimal strings in major units for the ERP; minor units too, so nothing is re-parsed.
      postings: d.postings.map((p) => ({
        account: p.account,
        side: p.side,
        amount: formatAmount(p.amountMinor, p.currency),
        amountMinor: p.amountMinor,
        currency: p.currency,
      })),
    },
  };
}
