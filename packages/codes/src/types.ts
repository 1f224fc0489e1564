/** Where a code can come from: the five calls Paystream makes, and the notify callback. */
export type Operation = 'create' | 'query' | 'refund' | 'cancel' | 'close' | 'notify';

export const OPERATIONS = [
  'create',
  'query',
  'refund',
  'cancel',
  'close',
  'notify',
] as const satisfies readonly Operation[];

/**
 * Paystream's taxonomy of the appendix. It groups codes by what an operator does about them,
 * not by their number ranges: see README.md for the table.
 */
export type Category =
  | 'success'
  | 'request_validation'
  | 'authentication'
  | 'merchant_account'
  | 'merchant_config'
  | 'clock'
  | 'duplicate'
  | 'not_found'
  | 'refund_rule'
  | 'cancel_rule'
  | 'close_rule'
  | 'balance'
  | 'cancel_upstream'
  | 'refund_upstream'
  | 'wechat_upstream'
  | 'alipay_upstream'
  | 'qr_upstream'
  | 'system'
  | 'unknown';

/**
 * - `never`: the same request will fail the same way; fix the input, the config or the account.
 * - `after_query`: the outcome may have happened upstream; query the order first, retry only if
 *   the query shows nothing was done (no double charge).
 * - `safe`: nothing was done upstream; the same request may be sent again.
 */
export type RetryAdvice = 'never' | 'after_query' | 'safe';

export type Severity = 'info' | 'warning' | 'error' | 'critical';

export interface CodeVariant {
  /** Stable identifier of the variant (a wallet, an upstream token, a failure mode). */
  readonly key: string;
  readonly messageZh: string;
  readonly messageEn: string;
  /** A readable gloss where the appendix gives only a token. */
  readonly gloss?: string;
  /** True where the appendix has one English text for several Chinese ones and this is ours. */
  readonly enDerived?: boolean;
}

export interface CatalogEntryInput {
  readonly code: string;
  /** Only for `-99`, which the appendix lists twice with two meanings. */
  readonly meaning?: 'system' | 'duplicate';
  readonly messageZh: string;
  readonly messageEn: string;
  readonly variants?: readonly CodeVariant[];
  readonly category: Category;
  readonly operations: readonly Operation[];
  readonly retry: RetryAdvice;
  readonly severity: Severity;
  /** The HTTP status the gateway answers with when the upstream returns this code. */
  readonly httpStatus: number;
  /** Whether the alerting plugin pages on this code by default. */
  readonly alert: boolean;
}

export interface CatalogEntry extends CatalogEntryInput {
  /** False only for codes the appendix does not list (see `describe`). */
  readonly known: boolean;
  /** True when `describe` had to pick between two meanings without a message to tell them apart. */
  readonly ambiguous?: boolean;
}

/** Context that helps `describe` pick the right meaning of an ambiguous code. */
export interface DescribeContext {
  readonly operation?: Operation;
  /** The message the upstream sent with the code, in either language. */
  readonly message?: string;
}
