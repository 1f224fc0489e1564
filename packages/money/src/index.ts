export type { Currency, MinorUnits, ParseResult } from './money.js';
export {
  addMinor,
  CURRENCIES,
  DECIMAL_AMOUNT,
  formatAmount,
  isCurrency,
  MINOR_DIGITS,
  minorUnits,
  parseAmount,
  subtractMinor,
  tryParseAmount,
} from './money.js';
