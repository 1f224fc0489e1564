// The chart of accounts and the one rule that turns an event into postings. Pure: no storage, so
// the booking rule is tested on its own and the property test can compute what the ledger must hold.
import type { Currency, EventOf, LedgerPosting } from '@paystream/plugin-sdk';

/** Funds the aggregator holds for us on one wallet, until settlement. A debit-normal asset. */
export const clearingAccount = (wallet: string) => `assets:clearing:${wallet}`;
/** Sales recognised, per calling service when the event names one. Credit-normal. */
export const salesAccount = (caller: string | undefined) =>
  caller ? `income:sales:${caller}` : 'income:sales';
/** Refunds given back, a contra-income account, per calling service. Debit-normal. */
export const refundsAccount = (caller: string | undefined) =>
  caller ? `income:refunds:${caller}` : 'income:refunds';

/** The events that book an entry. */
export type BookedEvent = EventOf<'payment.succeeded'> | EventOf<'refund.succeeded'>;

/** What one event books: its business key (one entry per payment or refund, whatever the event id) and postings. */
export interface Booking {
  /** `payment:<outTradeNo>` or `refund:<outTradeNo>:<refundNo>`: a second event for the same fact books nothing. */
  key: string;
  currency: Currency;
  postings: LedgerPosting[];
}

// The calling service, when the gateway put it in the order's metadata.
const callerOf = (e: BookedEvent) => e.data.metadata?.caller;

/** The balanced postings of a succeeded payment or refund (one currency, debits = credits). */
export function bookingFor(e: BookedEvent): Booking {
  const { currency, wallet, outTradeNo } = e.data;
  const caller = callerOf(e);
  if (e.type === 'payment.succeeded') {
    const amountMinor = e.data.amountMinor;
    return {
      key: `payment:${outTradeNo}`,
      currency,
      postings: [
        { account: clearingAccount(wallet), side: 'debit', amountMinor, currency },
        { account: salesAccount(caller), side: 'credit', amountMinor, currency },
      ],
    };
  }
  const amountMinor = e.data.refundAmountMinor;
  return {
    key: `refund:${outTradeNo}:${e.data.refundNo}`,
    currency,
    postings: [
      { account: refundsAccount(caller), side: 'debit', amountMinor, currency },
      { account: clearingAccount(wallet), side: 'credit', amountMinor, currency },
    ],
  };
}
