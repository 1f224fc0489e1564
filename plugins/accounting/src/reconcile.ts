// Reconciliation: what the ledger booked for an order against what the aggregator's `query` says
// now. Mismatches are reported and counted, never corrected here: a correction is a new entry a
// person decides on. An order paid a moment ago may show as `payment_missing` until its event is
// booked; a mismatch that persists across runs is the one to act on.
//
// What the aggregator's answer means (as the sandbox implements it): `paid`, `partially_refunded`
// and `refunded` were paid the order's amount and refunded `refundedMinor`; `canceled` was paid and
// then reversed (the aggregator only cancels a paid order: it gives back what refunds left);
// `closed` and `pending` were never paid. A payment after close or cancel is reported by the
// aggregator's notify (or its query, which then answers `paid`); a query may also keep answering
// `closed` or `canceled` for such an order, so there the late payment the ledger booked from the
// aggregator's own report is taken as the aggregator's.
import type { UpstreamOrderView, UpstreamQuery } from '@paystream/plugin-sdk';
import type { Ledger, OrderTotals } from './ledger.js';

/** The ways the ledger and the aggregator can disagree. */
export const MISMATCH_KINDS = [
  'payment_missing',
  'payment_unexpected',
  'amount',
  'refunded_amount',
  'reversed_amount',
  'currency',
  'order_not_found',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** One disagreement, with both sides in minor units. */
export interface Mismatch {
  outTradeNo: string;
  kind: MismatchKind;
  ledger: OrderTotals;
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
  /**
   * Orders holding a payment made after they were closed or canceled, not yet given back: money
   * owed to customers (`liabilities:late-payments`). Not a disagreement, a to-do (docs/operations.md).
   */
  latePayments: { outTradeNo: string; heldMinor: number; currency: string | null }[];
}

const PAID = new Set(['paid', 'refunded', 'partially_refunded']);
const ENDED = new Set(['closed', 'canceled']);

/** Money moved on one order, in minor units of its currency. */
export interface Figures {
  paidMinor: number;
  refundedMinor: number;
  reversedMinor: number;
}

/** One way the ledger disagrees with the aggregator's answer: the aggregator's figure and the ledger's. */
export interface Disagreement {
  kind: MismatchKind;
  /** Null for `currency` (the currencies disagree, not an amount). */
  expectedMinor: number | null;
  actualMinor: number | null;
}

/**
 * What the aggregator's answer says moved on an order, read as the rest of this file explains
 * (a late payment its status cannot show is taken from the ledger), and where the ledger's totals
 * disagree with it, in report order.
 */
export function compareOrder(
  booked: OrderTotals,
  view: Extract<UpstreamOrderView, { outcome: 'found' }>,
): { upstream: Figures; disagreements: Disagreement[] } {
  const disagreements: Disagreement[] = [];
  const add = (kind: MismatchKind, expectedMinor: number | null, actualMinor: number | null) =>
    disagreements.push({ kind, expectedMinor, actualMinor });
  if (booked.currency !== null && booked.currency !== view.currency) add('currency', null, null);
  // A late payment the status cannot show (closed, canceled): the aggregator's notify reported it.
  const lateUnseen = ENDED.has(view.status) && booked.latePaidMinor > 0;
  const paidUpstream =
    (PAID.has(view.status) || view.status === 'canceled' ? view.amountMinor : 0) +
    (lateUnseen ? booked.latePaidMinor : 0);
  const paidBooked = booked.paidMinor + booked.latePaidMinor;
  if (paidUpstream > 0 && paidBooked === 0) add('payment_missing', paidUpstream, paidBooked);
  else if (paidUpstream === 0 && paidBooked > 0) add('payment_unexpected', paidUpstream, paidBooked);
  else if (paidUpstream !== paidBooked) add('amount', paidUpstream, paidBooked);
  if (view.refundedMinor !== booked.refundedMinor)
    add('refunded_amount', view.refundedMinor, booked.refundedMinor);
  const reversedUpstream =
    view.status === 'canceled' ? Math.max(0, view.amountMinor - view.refundedMinor) : 0;
  // A canceled order's refunds may then be of the late payment as well: its reversal cannot be
  // told from the aggregator's totals, and the paid and refunded checks above still hold.
  if (!(view.status === 'canceled' && lateUnseen) && reversedUpstream !== booked.reversedMinor)
    add('reversed_amount', reversedUpstream, booked.reversedMinor);
  return {
    upstream: { paidMinor: paidUpstream, refundedMinor: view.refundedMinor, reversedMinor: reversedUpstream },
    disagreements,
  };
}

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
    latePayments: [],
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
    if (booked.lateHeldMinor > 0)
      report.latePayments.push({ outTradeNo, heldMinor: booked.lateHeldMinor, currency: booked.currency });
    for (const d of compareOrder(booked, view).disagreements) add(d.kind, up);
  }
  return report;
}
