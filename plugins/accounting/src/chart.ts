// The chart of accounts and the rules that turn an event into postings. Pure: no storage, so the
// booking rules are tested on their own and the property tests can compute what the ledger must hold.
import type { Currency, EventOf, LedgerPosting } from '@paystream/plugin-sdk';

// A caller names accounts: anything else (a dot-free colon, a space, 65 characters) would let one
// caller's value reach into another account's name, so it falls back to the plain account.
const ACCOUNT_CALLER = /^[A-Za-z0-9_.-]{1,64}$/;

/** The caller as an account qualifier, or undefined when it is absent or not a safe name. */
export function accountCaller(caller: string | undefined): string | undefined {
  return caller !== undefined && ACCOUNT_CALLER.test(caller) ? caller : undefined;
}

const qualified = (account: string, caller: string | undefined) => {
  const c = accountCaller(caller);
  return c ? `${account}:${c}` : account;
};

/** Funds the aggregator holds for us on one wallet, until settlement. A debit-normal asset. */
export const clearingAccount = (wallet: string) => `assets:clearing:${wallet}`;
/** Sales recognised, per authenticated caller when the event names one. Credit-normal. */
export const salesAccount = (caller: string | undefined) => qualified('income:sales', caller);
/** Refunds given back, a contra-income account, per caller. Debit-normal. */
export const refundsAccount = (caller: string | undefined) => qualified('income:refunds', caller);
/** Paid payments the aggregator reversed (a cancel of a paid order), contra-income, per caller. Debit-normal. */
export const reversalsAccount = (caller: string | undefined) => qualified('income:reversals', caller);
/**
 * Money a customer paid for an order that had already been closed or canceled: it is not a sale,
 * it is owed back to the customer. Credit-normal; it empties as those payments are refunded.
 */
export const LATE_PAYMENTS_ACCOUNT = 'liabilities:late-payments';

const CLEARING_PREFIX = 'assets:clearing:';

/** The events that may book an entry. */
export type BookedEvent =
  | EventOf<'payment.succeeded'>
  | EventOf<'refund.succeeded'>
  | EventOf<'payment.canceled'>
  | EventOf<'payment.paid_after_close'>;

/** The event types the ledger books from. */
export const BOOKED_TYPES = [
  'payment.succeeded',
  'refund.succeeded',
  'payment.canceled',
  'payment.paid_after_close',
] as const satisfies readonly BookedEvent['type'][];

/**
 * What one order holds in the ledger before an event: all of it (`heldMinor`, its clearing
 * balance) and the part of it that is late payments owed back (`lateMinor`). The rest is sales.
 */
export interface Held {
  heldMinor: number;
  lateMinor: number;
}

/** An order that holds nothing (no entry yet). */
export const NOTHING_HELD: Held = { heldMinor: 0, lateMinor: 0 };

/** What one event books: its business key (one entry per fact, whatever the event id) and postings. */
export interface Booking {
  /**
   * `payment:<o>`, `refund:<o>:<refundNo>`, `reversal:<o>` or `late-payment:<o>`: a second event
   * for the same fact books nothing.
   */
  key: string;
  currency: Currency;
  postings: LedgerPosting[];
}

/** The business key of the fact an event reports (see {@link Booking.key}). */
export function bookingKey(e: BookedEvent): string {
  const o = e.data.outTradeNo;
  switch (e.type) {
    case 'payment.succeeded':
      return `payment:${o}`;
    case 'refund.succeeded':
      return `refund:${o}:${e.data.refundNo}`;
    case 'payment.canceled':
      return `reversal:${o}`;
    case 'payment.paid_after_close':
      return `late-payment:${o}`;
  }
}

/**
 * The balanced postings of an event (one currency, debits = credits), given what the order held
 * before it; null when it moves no money (a cancel of an order that holds nothing).
 *
 * - `payment.succeeded`: debit clearing, credit sales (the order's amount).
 * - `payment.paid_after_close`: debit clearing, credit {@link LATE_PAYMENTS_ACCOUNT}.
 * - `refund.succeeded`: credit clearing (the refund's amount); debit sales' contra account for the
 *   part the order's sale still holds, and the late-payments liability for the part only a late
 *   payment holds. A refund beyond both is still booked against refunds (the aggregator says the
 *   money left; reconciliation shows the disagreement).
 * - `payment.canceled`: the aggregator reversed the paid payment: credit clearing with what the
 *   order still holds (its amount less refunds, never more than the amount, nor more than the
 *   aggregator's refunded total leaves), debit reversals for the sale's part and the liability for
 *   a late payment's part.
 */
export function bookingFor(e: BookedEvent, held: Held = NOTHING_HELD): Booking | null {
  const { currency, wallet } = e.data;
  const caller = e.data.caller;
  const key = bookingKey(e);
  const clearing = clearingAccount(wallet);
  const late = Math.max(0, Math.min(held.lateMinor, held.heldMinor));
  const sale = Math.max(0, held.heldMinor - late);
  // The debit lines of a split, without the parts that are zero.
  const debits = (parts: [string, number][]): LedgerPosting[] =>
    parts
      .filter(([, amountMinor]) => amountMinor > 0)
      .map(([account, amountMinor]) => ({ account, side: 'debit', amountMinor, currency }));
  switch (e.type) {
    case 'payment.succeeded':
    case 'payment.paid_after_close': {
      const amountMinor = e.data.amountMinor;
      const credit = e.type === 'payment.succeeded' ? salesAccount(caller) : LATE_PAYMENTS_ACCOUNT;
      return {
        key,
        currency,
        // Unfiltered: a payment of 0 is refused when its entry is published, never booked silently.
        postings: [
          { account: clearing, side: 'debit', amountMinor, currency },
          { account: credit, side: 'credit', amountMinor, currency },
        ],
      };
    }
    case 'refund.succeeded': {
      const amountMinor = e.data.refundAmountMinor;
      const fromLate = Math.min(late, Math.max(0, amountMinor - sale));
      return {
        key,
        currency,
        postings: [
          ...debits([
            [refundsAccount(caller), amountMinor - fromLate],
            [LATE_PAYMENTS_ACCOUNT, fromLate],
          ]),
          { account: clearing, side: 'credit', amountMinor, currency },
        ],
      };
    }
    case 'payment.canceled': {
      const upstreamLeft = e.data.amountMinor - (e.data.refundedTotalMinor ?? 0);
      const reversed = Math.max(0, Math.min(sale + late, e.data.amountMinor, upstreamLeft));
      if (reversed === 0) return null;
      const fromSale = Math.min(sale, reversed);
      return {
        key,
        currency,
        postings: [
          ...debits([
            [reversalsAccount(caller), fromSale],
            [LATE_PAYMENTS_ACCOUNT, reversed - fromSale],
          ]),
          { account: clearing, side: 'credit', amountMinor: reversed, currency },
        ],
      };
    }
  }
}

/** How a posting moves what its order holds (clearing) and owes back (late payments). */
export function heldAfter(held: Held, postings: readonly LedgerPosting[]): Held {
  let { heldMinor, lateMinor } = held;
  for (const p of postings) {
    if (p.account.startsWith(CLEARING_PREFIX))
      heldMinor += p.side === 'debit' ? p.amountMinor : -p.amountMinor;
    else if (p.account === LATE_PAYMENTS_ACCOUNT)
      lateMinor += p.side === 'credit' ? p.amountMinor : -p.amountMinor;
  }
  return { heldMinor, lateMinor };
}

/** Whether a posting's account is one {@link heldAfter} reads. */
export function movesHeld(account: string): boolean {
  return account.startsWith(CLEARING_PREFIX) || account === LATE_PAYMENTS_ACCOUNT;
}
