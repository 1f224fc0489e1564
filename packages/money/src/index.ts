export type { Currency, MinorUnits, ParseResult } from './money.js';
export {
  addMinor,
  CURRENCIES,
  formatAmount,
  isCurrency,
  MINOR_DIGITS,
  minorUnits,
  parseAmount,
  subtractMinor,
  tryParseAmount,
} from './money.js';
