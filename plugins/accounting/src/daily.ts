// The daily reconciliation finance is handed: for one Hong Kong day, the orders created that day,
// per wallet and currency what the aggregator says moved (its query now), what the gateway's
// events reported and what the ledger booked, and every order where they disagree. Each order
// counts on its creation day with everything that happened to it up to the run — a payment after
// midnight, a refund days later — on all three sides alike, so a day's sides always describe the
// same money. In minor units; formatting is the routes' and the CSV's business.
import type { Kysely } from '@paystream/plugin-sdk';
import type { CountedQuery } from './counted-upstream.js';
import { hkDayBounds } from './hk-day.js';
import { type Ledger, NOTHING_BOOKED } from './ledger.js';
import { compareOrder, type Figures, MISMATCH_KINDS } from './reconcile.js';
import { gatewayFigures, orderOf, ordersCreatedIn } from './reported.js';
import type { LedgerSchema } from './schema.js';

/**
 * Every kind of difference: the aggregator against the ledger (the rolling reconciliation's kinds,
 * and `unavailable` when the aggregator did not answer), then the gateway's events against the ledger.
 */
export const DIFFERENCE_KINDS = [
  ...MISMATCH_KINDS,
  'unavailable',
  'gateway_paid_amount',
  'gateway_refunded_amount',
  'gateway_reversed_amount',
] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/** One (wallet, currency) of the day: the orders and each side's money. */
export interface DailyTotal {
  wallet: string;
  currency: string;
  orders: number;
  aggregator: Figures;
  gateway: Figures;
  ledger: Figures;
}

/** One disagreement on one order: what was expected (aggregator or gateway) and what the ledger has. */
export interface Difference {
  outTradeNo: string;
  wallet: string;
  /** The order's currency, the one the amounts are in. */
  currency: string;
  kind: DifferenceKind;
  /** Null when there is no amount to give: `currency` (see the currencies) and `unavailable`'s expected. */
  expectedMinor: number | null;
  actualMinor: number | null;
  /** For `currency`: the aggregator's currency and the ledger's. */
  expectedCurrency?: string;
  actualCurrency?: string;
}

/** The report of one day, in minor units. */
export interface DailyReport {
  /** The Hong Kong day, YYYY-MM-DD. */
  day: string;
  /** The day's instants in UTC: `from` included, `to` excluded. */
  from: string;
  to: string;
  generatedAt: string;
  orders: number;
  /** False when the aggregator did not answer for some orders (`unavailable` differences). */
  complete: boolean;
  totals: DailyTotal[];
  differences: Difference[];
}

// A few queries at a time: a busy day's thousands of orders finish in minutes, and the aggregator
// sees no burst beside the gateway's own calls.
const QUERY_CONCURRENCY = 4;

const ZERO: Figures = { paidMinor: 0, refundedMinor: 0, reversedMinor: 0 };

const add = (a: Figures, b: Figures): Figures => ({
  paidMinor: a.paidMinor + b.paidMinor,
  refundedMinor: a.refundedMinor + b.refundedMinor,
  reversedMinor: a.reversedMinor + b.reversedMinor,
});

/** Runs `work` over `items`, `limit` at a time, keeping the results in the items' order. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Reconciles one Hong Kong day: one aggregator query per order created that day. Throws when
 * `signal` aborts (a partial day is never reported); an aggregator that does not answer for an
 * order makes that order `unavailable` and the report incomplete.
 */
export async function reconcileDay(
  db: Kysely<LedgerSchema>,
  ledger: Ledger,
  upstream: CountedQuery,
  day: string,
  signal?: AbortSignal,
): Promise<DailyReport> {
  const { from, to } = hkDayBounds(day);
  const reported = await ordersCreatedIn(db, from, to);
  const names = [...reported.keys()].sort();
  const booked = await ledger.ordersTotals(names);
  const views = await pool(names, QUERY_CONCURRENCY, async (outTradeNo) => {
    signal?.throwIfAborted();
    const { wallet } = orderOf(reported.get(outTradeNo)!);
    return upstream.queryOrder(outTradeNo, signal, wallet).catch((err: unknown) => ({
      outcome: 'unavailable' as const,
      outTradeNo,
      reason: err instanceof Error ? err.message : String(err),
    }));
  });
  signal?.throwIfAborted();

  const totals = new Map<string, DailyTotal>();
  const row = (wallet: string, currency: string) => {
    const key = `${wallet}\u0000${currency}`;
    let t = totals.get(key);
    if (!t) {
      t = { wallet, currency, orders: 0, aggregator: ZERO, gateway: ZERO, ledger: ZERO };
      totals.set(key, t);
    }
    return t;
  };
  const differences: Difference[] = [];
  names.forEach((outTradeNo, i) => {
    const events = reported.get(outTradeNo)!;
    const { wallet, currency } = orderOf(events);
    const ledgerTotals = booked.get(outTradeNo)?.totals ?? NOTHING_BOOKED;
    const ledgerFigures: Figures = {
      paidMinor: ledgerTotals.paidMinor + ledgerTotals.latePaidMinor,
      refundedMinor: ledgerTotals.refundedMinor,
      reversedMinor: ledgerTotals.reversedMinor,
    };
    const gateway = gatewayFigures(events);
    const differ = (d: Omit<Difference, 'outTradeNo' | 'wallet' | 'currency'>) =>
      differences.push({ outTradeNo, wallet, currency, ...d });
    const own = row(wallet, currency);
    own.orders += 1;
    own.gateway = add(own.gateway, gateway);
    const ledgerRow = row(wallet, ledgerTotals.currency ?? currency);
    ledgerRow.ledger = add(ledgerRow.ledger, ledgerFigures);

    const view = views[i]!;
    if (view.outcome === 'unavailable')
      differ({ kind: 'unavailable', expectedMinor: null, actualMinor: ledgerFigures.paidMinor });
    else if (view.outcome === 'not_found')
      differ({ kind: 'order_not_found', expectedMinor: 0, actualMinor: ledgerFigures.paidMinor });
    else {
      const { upstream: aggregator, disagreements } = compareOrder(ledgerTotals, view);
      const aggregatorRow = row(wallet, view.currency);
      aggregatorRow.aggregator = add(aggregatorRow.aggregator, aggregator);
      for (const d of disagreements)
        differ(
          d.kind === 'currency'
            ? { ...d, expectedCurrency: view.currency, actualCurrency: ledgerTotals.currency ?? currency }
            : d,
        );
    }
    const against = [
      ['gateway_paid_amount', gateway.paidMinor, ledgerFigures.paidMinor],
      ['gateway_refunded_amount', gateway.refundedMinor, ledgerFigures.refundedMinor],
      ['gateway_reversed_amount', gateway.reversedMinor, ledgerFigures.reversedMinor],
    ] as const;
    for (const [kind, expectedMinor, actualMinor] of against)
      if (expectedMinor !== actualMinor) differ({ kind, expectedMinor, actualMinor });
  });

  return {
    day,
    from,
    to,
    generatedAt: new Date().toISOString(),
    orders: names.length,
    complete: !differences.some((d) => d.kind === 'unavailable'),
    totals: [...totals.values()].sort((a, b) =>
      a.wallet === b.wallet ? (a.currency < b.currency ? -1 : 1) : a.wallet < b.wallet ? -1 : 1,
    ),
    differences,
  };
}
