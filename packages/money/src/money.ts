/** The currencies the aggregator settles in. */
export const CURRENCIES = ['HKD', 'CNY'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** An amount in integer minor units (cents, fen). Never a float: the brand keeps raw numbers out. */
export type MinorUnits = number & { readonly __brand: 'MinorUnits' };

/** Digits after the decimal point per currency (ISO 4217). */
export const MINOR_DIGITS: Readonly<Record<Currency, number>> = Object.freeze({ HKD: 2, CNY: 2 });

export type ParseResult = { ok: true; value: MinorUnits } | { ok: false; reason: string };

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/** Brands an integer count of minor units; throws a RangeError for anything else. */
export function minorUnits(value: number | bigint): MinorUnits {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`amount must be a non-negative safe integer of minor units, got ${String(value)}`);
  }
  return n as MinorUnits;
}

/** A major-unit decimal string as the API and the wire write it ("12.34"): no sign, no exponent, up to 12 integer digits. */
export const DECIMAL_AMOUNT = /^(0|[1-9][0-9]{0,11})(?:\.([0-9]+))?$/;

/**
 * Parses a major-unit decimal string ("12.34") exactly, by string arithmetic, so no float ever
 * touches the amount. Rejects signs, exponents, separators, extra precision and empty strings.
 */
export function tryParseAmount(text: unknown, currency: Currency): ParseResult {
  if (typeof text !== 'string') return { ok: false, reason: 'must be a decimal string such as "12.34"' };
  const digits = MINOR_DIGITS[currency];
  const match = DECIMAL_AMOUNT.exec(text);
  if (!match)
    return { ok: false, reason: `must be a decimal string such as "12.34", got ${JSON.stringify(text)}` };
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    return { ok: false, reason: `has more than ${digits} decimal places for ${currency}` };
  }
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'is too large' };
  return { ok: true, value: minor as MinorUnits };
}

/** Like `tryParseAmount`, throwing a RangeError that names the problem. */
export function parseAmount(text: string, currency: Currency): MinorUnits {
  const result = tryParseAmount(text, currency);
  if (!result.ok) throw new RangeError(`amount ${result.reason}`);
  return result.value;
}

/** Formats minor units as the major-unit decimal string the wire and the API use ("12.30"). */
export function formatAmount(amount: MinorUnits | number, currency: Currency): string {
  const minor = minorUnits(amount);
  const digits = MINOR_DIGITS[currency];
  if (digits === 0) return String(minor);
  const text = String(minor).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Sums minor units, refusing a result that is no longer an exact integer. */
export function addMinor(...amounts: readonly (MinorUnits | number)[]): MinorUnits {
  return minorUnits(amounts.reduce<number>((sum, a) => sum + minorUnits(a), 0));
}

/** Subtracts b from a; throws where the result would be negative. */
export function subtractMinor(a: MinorUnits | number, b: MinorUnits | number): MinorUnits {
  return minorUnits(minorUnits(a) - minorUnits(b));
}
