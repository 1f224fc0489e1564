// Money crosses the API as decimal strings in major units; inside a service it is integer minor
// units. These helpers are the only conversions, both exact (no float touches the amount).
import { type Currency, formatAmount, type MinorUnits, minorUnits, parseAmount } from '@paystream/money';

/** "12.34" HKD → 1234 minor units. Throws a RangeError naming the problem for anything else. */
export function toMinorUnits(amount: string, currency: Currency): MinorUnits {
  return parseAmount(amount, currency);
}

/** 1234 minor units of HKD → "12.34", the string the API takes. */
export function fromMinorUnits(amount: MinorUnits | number | bigint, currency: Currency): string {
  return formatAmount(minorUnits(amount), currency);
}
