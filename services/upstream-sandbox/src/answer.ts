import { entriesFor } from '@paystream/codes';

/** The aggregator's answer envelope. */
export interface WireAnswer {
  code: string;
  msg: string;
  data?: Record<string, unknown>;
}

/** An answer with the appendix's English message for the code (or a given one). */
export function answer(code: string, msg?: string, data?: Record<string, unknown>): WireAnswer {
  const text = msg ?? entriesFor(code)[0]?.messageEn ?? 'Unknown';
  return data ? { code, msg: text, data } : { code, msg: text };
}

/** The variant text of a multi-meaning code (05 by token, 30 by wallet). */
export function variantAnswer(code: string, key: string): WireAnswer {
  const variant = entriesFor(code)[0]?.variants?.find((v) => v.key === key);
  return answer(code, variant?.messageEn);
}

export const DUPLICATE_MESSAGE = 'out_trade_no/refund_no must be unique';
