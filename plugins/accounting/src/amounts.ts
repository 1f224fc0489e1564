import { type Currency, formatAmount } from '@paystream/plugin-sdk';

/** A signed decimal string (a balance or a net may be negative): "-3.00". */
export function signedAmount(minor: number, currency: Currency): string {
  return minor < 0 ? `-${formatAmount(-minor, currency)}` : formatAmount(minor, currency);
}
