// The gateway's side of the daily reconciliation: what the payment events the plugin consumed
// said, kept apart from what the ledger booked from them. Every consumed event is recorded, one
// row per fact (the first event of a fact wins, as in the ledger), before it is booked: an event
// that fails to book is still the gateway's word. Its figures are the gateway's running state of
// the order: a refund event carries the order's refunded total, so a later refund shows an earlier
// one whose event the ledger never booked.
import type { EventOf, Kysely } from '@paystream/plugin-sdk';
import { type BookedEvent, bookingKey } from './chart.js';
import type { Figures } from './reconcile.js';
import type { LedgerSchema } from './schema.js';

/** An event the plugin consumes. */
export type ConsumedEvent = BookedEvent | EventOf<'payment.created'>;

/** One recorded fact, in minor units. */
export interface ReportedEvent {
  eventType: string;
  outTradeNo: string;
  sequence: number;
  wallet: string;
  currency: string;
  amountMinor: number;
  refundAmountMinor: number | null;
  refundedTotalMinor: number | null;
  occurredAt: string;
}

const ROWS_PER_STATEMENT = 500;

const factKey = (e: ConsumedEvent) =>
  e.type === 'payment.created' ? `created:${e.data.outTradeNo}` : bookingKey(e);

// Instants compare as strings only in one format: UTC as toISOString writes it.
function utc(e: ConsumedEvent): string {
  const at = Date.parse(e.data.occurredAt);
  return new Date(Number.isNaN(at) ? Date.parse(e.time) || Date.now() : at).toISOString();
}

/** Records the events' facts in `db` (the caller's transaction or the database); a fact seen before is kept. */
export async function recordReported(
  db: Kysely<LedgerSchema>,
  events: readonly ConsumedEvent[],
): Promise<void> {
  for (const statement of reportedInserts(db, events)) await statement.execute();
}

/** The inserts of {@link recordReported}, built on `db` and not run. */
export function reportedInserts(db: Kysely<LedgerSchema>, events: readonly ConsumedEvent[]) {
  const first = new Map<string, ConsumedEvent>();
  for (const e of events) if (!first.has(factKey(e))) first.set(factKey(e), e);
  const rows = [...first].map(([key, e]) => ({
    fact_key: key,
    event_id: e.id,
    event_type: e.type,
    out_trade_no: e.data.outTradeNo,
    sequence: e.data.sequence,
    wallet: e.data.wallet,
    currency: e.data.currency,
    amount_minor: e.data.amountMinor,
    refund_no: e.type === 'refund.succeeded' ? e.data.refundNo : null,
    refund_amount_minor: e.type === 'refund.succeeded' ? e.data.refundAmountMinor : null,
    refunded_total_minor: e.data.refundedTotalMinor ?? null,
    occurred_at: utc(e),
  }));
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    statements.push(
      db
        .insertInto('ledger_events')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.column('fact_key').doNothing()),
    );
  return statements;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * The orders of a period, with their recorded facts in sequence order: an order belongs to the
 * period its `payment.created` occurred in, or, when the plugin never consumed that event, the
 * period of the earliest event it consumed for the order. `from` included, `to` excluded (UTC ISO).
 */
export async function ordersCreatedIn(
  db: Kysely<LedgerSchema>,
  from: string,
  to: string,
): Promise<Map<string, ReportedEvent[]>> {
  // Any order created in the period has an event in it (its creation, or its earliest event).
  const candidates = await db
    .selectFrom('ledger_events')
    .select('out_trade_no')
    .distinct()
    .where('occurred_at', '>=', from)
    .where('occurred_at', '<', to)
    .execute();
  const orders = new Map<string, ReportedEvent[]>();
  const names = candidates.map((c) => c.out_trade_no);
  for (let i = 0; i < names.length; i += ROWS_PER_STATEMENT) {
    const rows = await db
      .selectFrom('ledger_events')
      .selectAll()
      .where('out_trade_no', 'in', names.slice(i, i + ROWS_PER_STATEMENT))
      .orderBy('out_trade_no')
      .orderBy('sequence')
      .execute();
    for (const r of rows) {
      const list = orders.get(r.out_trade_no) ?? [];
      list.push({
        eventType: r.event_type,
        outTradeNo: r.out_trade_no,
        sequence: r.sequence,
        wallet: r.wallet,
        currency: r.currency,
        amountMinor: Number(r.amount_minor),
        refundAmountMinor: num(r.refund_amount_minor),
        refundedTotalMinor: num(r.refunded_total_minor),
        occurredAt: r.occurred_at,
      });
      orders.set(r.out_trade_no, list);
    }
  }
  for (const [order, events] of orders) {
    const at = createdAt(events);
    if (at < from || at >= to) orders.delete(order);
  }
  return orders;
}

/** When the order was created: its `payment.created`, else the earliest event consumed. */
export function createdAt(events: readonly ReportedEvent[]): string {
  const created = events.find((e) => e.eventType === 'payment.created');
  if (created) return created.occurredAt;
  // ISO instants in one format sort as they happened.
  return events.map((e) => e.occurredAt).sort()[0]!;
}

/** The order's wallet and currency as the gateway reported them (its creation, else its first event). */
export function orderOf(events: readonly ReportedEvent[]): { wallet: string; currency: string } {
  const e = events.find((x) => x.eventType === 'payment.created') ?? events[0]!;
  return { wallet: e.wallet, currency: e.currency };
}

/**
 * The money the gateway's events say moved on one order (`events` in sequence order): paid = each
 * payment and payment after close; refunded = the larger of the refunds' sum and the highest
 * refunded total a refund event carried; reversed = what a cancel of a paid order gave back, its
 * amount less what was refunded before it.
 */
export function gatewayFigures(events: readonly ReportedEvent[]): Figures {
  let paidMinor = 0;
  let paid = false;
  let refundsSum = 0;
  let refundedTotal = 0;
  let reversedMinor = 0;
  for (const e of events) {
    if (e.eventType === 'payment.succeeded' || e.eventType === 'payment.paid_after_close') {
      paidMinor += e.amountMinor;
      paid = true;
    } else if (e.eventType === 'refund.succeeded') {
      refundsSum += e.refundAmountMinor ?? 0;
      refundedTotal = Math.max(refundedTotal, e.refundedTotalMinor ?? 0);
    } else if (e.eventType === 'payment.canceled' && paid) {
      const before = Math.max(refundsSum, refundedTotal, e.refundedTotalMinor ?? 0);
      reversedMinor += Math.max(0, e.amountMinor - before);
    }
  }
  return { paidMinor, refundedMinor: Math.max(refundsSum, refundedTotal), reversedMinor };
}
