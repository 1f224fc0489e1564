import { type Currency, type MinorUnits, tryParseAmount } from '@paystream/money';

/** The aggregator's transaction_amount range, 0.02–60000, in minor units. */
export const MIN_AMOUNT = 2;
export const MAX_AMOUNT = 6_000_000;

/** Parses a wire amount: a decimal string with at most two places, else undefined (-22). */
export function parseWireAmount(value: unknown, currency: Currency): MinorUnits | undefined {
  const parsed = tryParseAmount(value, currency);
  return parsed.ok ? parsed.value : undefined;
}
