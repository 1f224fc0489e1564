// Reconciliation: what the ledger booked for an order against what the aggregator's `query` says
// now. Mismatches are reported and counted, never corrected here: a correction is a new entry a
// person decides on. An order paid a moment ago may show as `payment_missing` until its event is
// booked; a mismatch that persists across runs is the one to act on.
import type { UpstreamQuery } from '@paystream/plugin-sdk';
import type { Ledger } from './ledger.js';

/** The ways the ledger and the aggregator can disagree. */
export const MISMATCH_KINDS = [
  'payment_missing',
  'payment_unexpected',
  'amount',
  'refunded_amount',
  'currency',
  'order_not_found',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One disagreement, with both sides in minor units. */
export interface Mismatch {
  outTradeNo: string;
  kind: MismatchKind;
  ledger: { paidMinor: number; refundedMinor: number; currency: string | null };
  upstream:
    | { status: string; amountMinor: number; refundedMinor: number; currency: string }
    | { status: 'not_found' };
}

/** The result of one run. */
export interface ReconciliationReport {
  checkedAt: string;
  orders: number;
  /** Orders the aggregator could not answer for (timeouts, outages): not compared. */
  unavailable: string[];
  mismatches: Mismatch[];
}

const PAID = new Set(['paid', 'refunded', 'partially_refunded']);

/** Compares each order; never throws for an upstream failure (the order counts as unavailable). */
export async function reconcile(
  ledger: Ledger,
  upstream: UpstreamQuery,
  outTradeNos: readonly string[],
  signal?: AbortSignal,
): Promise<ReconciliationReport> {
  const report: ReconciliationReport = {
    checkedAt: new Date().toISOString(),
    orders: outTradeNos.length,
    unavailable: [],
    mismatches: [],
  };
  for (const outTradeNo of outTradeNos) {
    if (signal?.aborted) break;
    const [booked, view] = await Promise.all([
      ledger.orderTotals(outTradeNo),
      upstream.queryOrder(outTradeNo, signal).catch((err: unknown) => ({
        outcome: 'unavailable' as const,
        outTradeNo,
        reason: err instanceof Error ? err.message : String(err),
      })),
    ]);
    const add = (kind: MismatchKind, up: Mismatch['upstream']) =>
      report.mismatches.push({ outTradeNo, kind, ledger: booked, upstream: up });
    if (view.outcome === 'unavailable') {
      report.unavailable.push(outTradeNo);
      continue;
    }
    if (view.outcome === 'not_found') {
      add('order_not_found', { status: 'not_found' });
      continue;
    }
    const up = {
      status: view.status,
      amountMinor: view.amountMinor,
      refundedMinor: view.refundedMinor,
      currency: view.currency,
    };
    if (booked.currency !== null && booked.currency !== view.currency) add('currency', up);
    const paidUpstream = PAID.has(view.status) ? view.amountMinor : 0;
    if (paidUpstream > 0 && booked.paidMinor === 0) add('payment_missing', up);
    else if (paidUpstream === 0 && booked.paidMinor > 0) add('payment_unexpected', up);
    else if (paidUpstream !== booked.paidMinor) add('amount', up);
    if (view.refundedMinor !== booked.refundedMinor) add('refunded_amount', up);
  }
  return report;
}
