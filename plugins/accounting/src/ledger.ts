// The ledger's storage. Like TigerBeetle's transfers, entries are immutable and idempotent: an
// entry's id derives from the event id, a business key (one payment, refund, reversal or payment
// after close) is booked once whatever event carries it, and account balances move only in the
// transaction that inserts the postings, so balances always equal the sum of postings and debits
// always equal credits. A refund or cancel books from what its order's earlier entries left held.
import { createHash } from 'node:crypto';
import {
  type BatchStatement,
  type Currency,
  createLedgerEntryPosted,
  type EventOf,
  type Kysely,
  LEDGER_ENTRIES_TOPIC,
  type LedgerEntryPostedEvent,
  type LedgerPosting,
  type PluginPublisher,
  sql,
} from '@paystream/plugin-sdk';
import {
  type BookedEvent,
  type Booking,
  bookingFor,
  bookingKey,
  type Held,
  heldAfter,
  LATE_PAYMENTS_ACCOUNT,
  NOTHING_HELD,
} from './chart.js';
import type { LedgerSchema } from './schema.js';

/** A journal entry with its postings, in minor units. */
export interface JournalEntry {
  id: string;
  eventId: string;
  eventType: string;
  outTradeNo: string;
  refundNo: string | null;
  postedAt: string;
  postings: LedgerPosting[];
}

/** Debit and credit totals of one currency (or of one account in one currency). */
export interface Totals {
  currency: Currency;
  debitMinor: number;
  creditMinor: number;
}

// PostgreSQL answers sums as strings: both views go through Number the same way.
const accountTotals = (r: {
  account: string;
  currency: string;
  debit: number | string;
  credit: number | string;
}) => ({
  account: r.account,
  currency: r.currency as Currency,
  debitMinor: Number(r.debit),
  creditMinor: Number(r.credit),
});

// Rows per multi-row statement: well below the bound-parameter limits of SQLite and PostgreSQL.
const ROWS_PER_STATEMENT = 500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs a statement built and not run (a {@link BatchStatement}) in `db`. */
const run = (db: Kysely<LedgerSchema>, statement: BatchStatement) =>
  db.executeQuery(statement as unknown as Parameters<Kysely<LedgerSchema>['executeQuery']>[0]);

/** The entry id of an event: stable, so a redelivery can never mint a second entry. */
export function entryIdFor(eventId: string): string {
  return `le_${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}`;
}

/** What `book` did: booked an entry, found its event or fact booked already, or had nothing to book. */
export type BookOutcome =
  | { kind: 'booked'; entry: JournalEntry }
  | { kind: 'duplicate'; reason: 'event' | 'fact' }
  | { kind: 'nothing' };

// The types whose postings depend on what the order holds already.
const DEPENDS_ON_HELD = new Set<string>(['refund.succeeded', 'payment.canceled']);

/** The postings of one entry of an order, with the sequence of the event it booked. */
interface OrderMove {
  /** 0 for entries booked before sequences were kept (they came first). */
  sequence: number;
  postings: LedgerPosting[];
}

/**
 * What the order held before the event of `sequence`: the entries of its earlier events only, so a
 * late copy of an earlier event (a cancel that found nothing held) books what it booked the first time.
 */
function heldBefore(moves: readonly OrderMove[], sequence: number): Held {
  return moves
    .filter((m) => m.sequence < sequence)
    .reduce((held, m) => heldAfter(held, m.postings), NOTHING_HELD);
}

/** One clearing or late-payment posting of an order's entry, as the `held` reads answer it. */
interface HeldRow {
  id: string;
  out_trade_no: string;
  event_sequence: number | null;
  account: string;
  side: 'debit' | 'credit';
  amount_minor: number | string;
  currency: string;
}

/** The moves of each order's entries, from the `held` rows of {@link Ledger.bookingReads}. */
function holdingMoves(rows: readonly HeldRow[]): Map<string, OrderMove[]> {
  const byEntry = new Map<string, { order: string; move: OrderMove }>();
  for (const r of rows) {
    let at = byEntry.get(r.id);
    if (!at) {
      at = { order: r.out_trade_no, move: { sequence: r.event_sequence ?? 0, postings: [] } };
      byEntry.set(r.id, at);
    }
    at.move.postings.push({
      account: r.account,
      side: r.side,
      amountMinor: Number(r.amount_minor),
      currency: r.currency as Currency,
    });
  }
  const moves = new Map<string, OrderMove[]>();
  for (const { order, move } of byEntry.values()) {
    const list = moves.get(order) ?? [];
    list.push(move);
    moves.set(order, list);
  }
  return moves;
}

/** A read of {@link Ledger.bookingReads}: a select, built and not run. */
export type BookingRead = BatchStatement;

/** What {@link Ledger.planBooking} decided and the statements that write it, in this order. */
export interface BookingPlan {
  outcomes: BookOutcome[];
  /** Inserts of the entries, then of their postings. */
  entries: BatchStatement[];
  /** `ledger.entry.posted` of each entry booked, for the plugin outbox. */
  published: LedgerEntryPostedEvent[];
  /** Upserts of the balances the postings move: the rows every booking shares, locked last. */
  balances: BatchStatement[];
}

/** What the ledger booked for one order, in minor units (reconciliation compares it with the aggregator). */
export interface OrderTotals {
  /** Sales: `payment.succeeded`. */
  paidMinor: number;
  /** Payments after close: `payment.paid_after_close`. */
  latePaidMinor: number;
  refundedMinor: number;
  /** What cancels reversed. */
  reversedMinor: number;
  /** What the order holds in clearing now. */
  heldMinor: number;
  /** The part of it owed back to the customer (late payments not yet refunded or reversed). */
  lateHeldMinor: number;
  currency: string | null;
}

/** The totals of an order nothing was booked for. */
export const NOTHING_BOOKED: OrderTotals = {
  paidMinor: 0,
  latePaidMinor: 0,
  refundedMinor: 0,
  reversedMinor: 0,
  heldMinor: 0,
  lateHeldMinor: 0,
  currency: null,
};

/** One posting of an order's entry, as {@link totalsOf} reads it. */
interface TotalsRow {
  event_type: string;
  account: string;
  side: 'debit' | 'credit';
  amount_minor: number | string;
  currency: string;
}

/** What an order's postings add up to (each entry moves clearing once: that line says how much). */
function totalsOf(rows: readonly TotalsRow[]): OrderTotals {
  const totals: OrderTotals = { ...NOTHING_BOOKED, currency: rows[0]?.currency ?? null };
  let held: Held = NOTHING_HELD;
  for (const r of rows) {
    // PostgreSQL answers bigint as a string.
    const amountMinor = Number(r.amount_minor);
    const posting = { account: r.account, side: r.side, amountMinor, currency: r.currency as Currency };
    held = heldAfter(held, [posting]);
    if (!r.account.startsWith('assets:clearing:')) continue;
    if (r.event_type === 'payment.succeeded') totals.paidMinor += amountMinor;
    else if (r.event_type === 'payment.paid_after_close') totals.latePaidMinor += amountMinor;
    else if (r.event_type === 'refund.succeeded') totals.refundedMinor += amountMinor;
    else if (r.event_type === 'payment.canceled') totals.reversedMinor += amountMinor;
  }
  totals.heldMinor = held.heldMinor;
  totals.lateHeldMinor = held.lateMinor;
  return totals;
}

/** The double-entry ledger on its tables. */
export class Ledger {
  constructor(
    private readonly db: Kysely<LedgerSchema>,
    private readonly publisher?: PluginPublisher,
    private readonly source = '/paystream/plugins/accounting',
  ) {}

  /** Books one event once; publishes `ledger.entry.posted` in the same transaction. */
  async book(event: BookedEvent): Promise<BookOutcome> {
    return this.db.transaction().execute(async (trx) => (await this.bookAll(trx, [event]))[0]!);
  }

  /**
   * Books events in order inside the caller's transaction `trx`, in a handful of statements
   * whatever their number: the outcome of each is what `book` would have said booking them one
   * after the other (a second event for a fact booked earlier in the same call is a duplicate, and
   * a refund or cancel sees what the entries before it in the same call left its order holding).
   * The plugin's batches do the same through the host ({@link bookingReads}, {@link planBooking}).
   */
  async bookAll(trx: Kysely<LedgerSchema>, events: readonly BookedEvent[]): Promise<BookOutcome[]> {
    if (events.length === 0) return [];
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const [name, read] of Object.entries(this.bookingReads(events)))
      rows[name] = (await run(trx, read)).rows as Record<string, unknown>[];
    const plan = this.planBooking(events, rows);
    for (const statement of plan.entries) await run(trx, statement);
    for (const slice of chunks(plan.published, ROWS_PER_STATEMENT))
      await this.publisher?.publish(trx, LEDGER_ENTRIES_TOPIC, slice);
    // Last, so the rows every booking shares are locked only until the commit that follows.
    for (const statement of plan.balances) await run(trx, statement);
    return plan.outcomes;
  }

  /**
   * The selects booking `events` needs, by name, built and not run: the entries already booked
   * under their ids or facts, and the postings that say what the orders of refunds and cancels
   * hold. Hand their rows to {@link planBooking}.
   */
  bookingReads(events: readonly BookedEvent[]): Record<string, BookingRead> {
    const reads: Record<string, BookingRead> = {};
    chunks(events, ROWS_PER_STATEMENT).forEach((slice, i) => {
      reads[`booked${i}`] = this.db
        .selectFrom('ledger_entries')
        .select(['event_id', 'booking_key'])
        .where((eb) =>
          eb.or([
            eb(
              'event_id',
              'in',
              slice.map((e) => e.id),
            ),
            eb('booking_key', 'in', slice.map(bookingKey)),
          ]),
        );
    });
    const orders = new Set(events.filter((e) => DEPENDS_ON_HELD.has(e.type)).map((e) => e.data.outTradeNo));
    chunks([...orders], ROWS_PER_STATEMENT).forEach((slice, i) => {
      reads[`held${i}`] = this.db
        .selectFrom('ledger_entries')
        .innerJoin('ledger_postings', 'ledger_postings.entry_id', 'ledger_entries.id')
        .select([
          'ledger_entries.id',
          'ledger_entries.out_trade_no',
          'ledger_entries.event_sequence',
          'ledger_postings.account',
          'ledger_postings.side',
          'ledger_postings.amount_minor',
          'ledger_postings.currency',
        ])
        .where('ledger_entries.out_trade_no', 'in', slice)
        .where((eb) =>
          eb.or([
            eb('ledger_postings.account', 'like', 'assets:clearing:%'),
            eb('ledger_postings.account', '=', LATE_PAYMENTS_ACCOUNT),
          ]),
        );
    });
    return reads;
  }

  /**
   * Books `events` in order from the rows of {@link bookingReads} (by its names): the outcome of
   * each, and the statements that write them, built and not run. `entries` (the entries, then
   * their postings), then `published` (the `ledger.entry.posted` events, for the outbox), then
   * `balances`, in one transaction.
   */
  planBooking(
    events: readonly BookedEvent[],
    rows: Readonly<Record<string, readonly object[]>>,
  ): BookingPlan {
    const seenIds = new Set<string>();
    const seenKeys = new Set<string>();
    const held: HeldRow[] = [];
    for (const [name, found] of Object.entries(rows)) {
      if (name.startsWith('booked'))
        for (const r of found as { event_id: string; booking_key: string }[]) {
          seenIds.add(r.event_id);
          seenKeys.add(r.booking_key);
        }
      else if (name.startsWith('held')) held.push(...(found as HeldRow[]));
    }
    const moves = holdingMoves(held);
    const postedAt = new Date().toISOString();
    const outcomes: BookOutcome[] = [];
    const booked: { entry: JournalEntry; event: BookedEvent; booking: Booking }[] = [];
    for (const event of events) {
      const key = bookingKey(event);
      if (seenIds.has(event.id)) {
        outcomes.push({ kind: 'duplicate', reason: 'event' });
        continue;
      }
      if (seenKeys.has(key)) {
        outcomes.push({ kind: 'duplicate', reason: 'fact' });
        continue;
      }
      const order = event.data.outTradeNo;
      const booking = bookingFor(event, heldBefore(moves.get(order) ?? [], event.data.sequence));
      if (!booking) {
        outcomes.push({ kind: 'nothing' });
        continue;
      }
      seenIds.add(event.id);
      seenKeys.add(key);
      const list = moves.get(order) ?? [];
      list.push({ sequence: event.data.sequence, postings: booking.postings });
      moves.set(order, list);
      const entry: JournalEntry = {
        id: entryIdFor(event.id),
        eventId: event.id,
        eventType: event.type,
        outTradeNo: order,
        refundNo: event.type === 'refund.succeeded' ? event.data.refundNo : null,
        postedAt,
        postings: booking.postings,
      };
      outcomes.push({ kind: 'booked', entry });
      booked.push({ entry, event, booking });
    }
    if (booked.length === 0) return { outcomes, entries: [], published: [], balances: [] };
    const entries: BatchStatement[] = chunks(booked, ROWS_PER_STATEMENT).map((slice) =>
      this.db.insertInto('ledger_entries').values(
        slice.map(({ entry, event, booking }) => ({
          id: entry.id,
          event_id: entry.eventId,
          booking_key: booking.key,
          event_type: entry.eventType,
          out_trade_no: entry.outTradeNo,
          refund_no: entry.refundNo,
          wallet: event.data.wallet,
          currency: booking.currency,
          posted_at: entry.postedAt,
          event_sequence: event.data.sequence,
        })),
      ),
    );
    const postings = booked.flatMap(({ entry }) =>
      entry.postings.map((p, line) => ({
        entry_id: entry.id,
        line,
        account: p.account,
        side: p.side,
        amount_minor: p.amountMinor,
        currency: p.currency,
      })),
    );
    for (const slice of chunks(postings, ROWS_PER_STATEMENT))
      entries.push(this.db.insertInto('ledger_postings').values(slice));
    const published = booked.map(({ entry, event }) =>
      createLedgerEntryPosted(
        {
          entryId: entry.id,
          eventId: entry.eventId,
          eventType: event.type,
          outTradeNo: entry.outTradeNo,
          ...(entry.refundNo ? { refundNo: entry.refundNo } : {}),
          wallet: event.data.wallet,
          postings: entry.postings,
          postedAt: entry.postedAt,
        },
        { source: this.source },
      ),
    );
    const balances = this.balanceUpserts(
      postings.map((p) => ({
        account: p.account,
        currency: p.currency,
        debit: p.side === 'debit' ? p.amount_minor : 0,
        credit: p.side === 'credit' ? p.amount_minor : 0,
      })),
    );
    return { outcomes, entries, published, balances };
  }

  /** Adds the postings' amounts to the balances, one row per account and currency (built, not run). */
  private balanceUpserts(
    moves: readonly { account: string; currency: string; debit: number; credit: number }[],
  ): BatchStatement[] {
    const sums = new Map<string, { account: string; currency: string; debit: number; credit: number }>();
    for (const m of moves) {
      const key = `${m.account}\u0000${m.currency}`;
      const sum = sums.get(key) ?? { account: m.account, currency: m.currency, debit: 0, credit: 0 };
      sum.debit += m.debit;
      sum.credit += m.credit;
      sums.set(key, sum);
    }
    // In one order for every transaction, so two batches never wait on each other's rows in a cycle.
    const rows = [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => ({
        account: s.account,
        currency: s.currency,
        debit_minor: s.debit,
        credit_minor: s.credit,
      }));
    return chunks(rows, ROWS_PER_STATEMENT).map((slice) =>
      this.db
        .insertInto('ledger_balances')
        .values(slice)
        .onConflict((oc) =>
          oc.columns(['account', 'currency']).doUpdateSet({
            debit_minor: sql`ledger_balances.debit_minor + excluded.debit_minor`,
            credit_minor: sql`ledger_balances.credit_minor + excluded.credit_minor`,
          }),
        ),
    );
  }

  /** Remembers an order the gateway created, so reconciliation can ask the aggregator about it. */
  async recordOrder(event: EventOf<'payment.created'>): Promise<void> {
    await this.recordOrders(this.db, [event]);
  }

  /** {@link recordOrder} for many orders in one statement, in the caller's transaction `db`. */
  async recordOrders(db: Kysely<LedgerSchema>, events: readonly EventOf<'payment.created'>[]): Promise<void> {
    for (const statement of this.orderInserts(events)) await run(db, statement);
  }

  /** The inserts of {@link recordOrders}, built and not run. */
  orderInserts(events: readonly EventOf<'payment.created'>[]): BatchStatement[] {
    const first = new Map<string, EventOf<'payment.created'>>();
    for (const e of events) if (!first.has(e.data.outTradeNo)) first.set(e.data.outTradeNo, e);
    return chunks([...first.values()], ROWS_PER_STATEMENT).map((slice) =>
      this.db
        .insertInto('ledger_orders')
        .values(
          slice.map((event) => ({
            out_trade_no: event.data.outTradeNo,
            currency: event.data.currency,
            amount_minor: event.data.amountMinor,
            seen_at: event.time,
          })),
        )
        .onConflict((oc) => oc.column('out_trade_no').doNothing()),
    );
  }

  /** Total debits and credits per currency (from the balances; equal on a sound ledger). */
  async trialBalance(): Promise<Totals[]> {
    const rows = await this.db
      .selectFrom('ledger_balances')
      .select((eb) => [
        'currency',
        eb.fn.sum<number | string>('debit_minor').as('debit'),
        eb.fn.sum<number | string>('credit_minor').as('credit'),
      ])
      .groupBy('currency')
      .orderBy('currency')
      .execute();
    return rows.map((r) => ({
      currency: r.currency as Currency,
      debitMinor: Number(r.debit),
      creditMinor: Number(r.credit),
    }));
  }

  /** An account's totals per currency; empty when the account has never been posted to. */
  async account(account: string): Promise<Totals[]> {
    const rows = await this.db
      .selectFrom('ledger_balances')
      .select(['currency', 'debit_minor', 'credit_minor'])
      .where('account', '=', account)
      .orderBy('currency')
      .execute();
    return rows.map((r) => ({
      currency: r.currency as Currency,
      debitMinor: r.debit_minor,
      creditMinor: r.credit_minor,
    }));
  }

  /** Every account's totals per currency, recomputed from the postings (the audit view). */
  async totalsFromPostings(): Promise<(Totals & { account: string })[]> {
    const rows = await this.db
      .selectFrom('ledger_postings')
      .select((eb) => [
        'account',
        'currency',
        eb.fn
          .sum<number | string>(
            eb.case().when('side', '=', 'debit').then(eb.ref('amount_minor')).else(0).end(),
          )
          .as('debit'),
        eb.fn
          .sum<number | string>(
            eb.case().when('side', '=', 'credit').then(eb.ref('amount_minor')).else(0).end(),
          )
          .as('credit'),
      ])
      .groupBy(['account', 'currency'])
      .orderBy('account')
      .orderBy('currency')
      .execute();
    return rows.map(accountTotals);
  }

  /** Every account's stored balance (what `accounts/{account}` answers from). */
  async balances(): Promise<(Totals & { account: string })[]> {
    const rows = await this.db
      .selectFrom('ledger_balances')
      .select(['account', 'currency', 'debit_minor as debit', 'credit_minor as credit'])
      .orderBy('account')
      .orderBy('currency')
      .execute();
    return rows.map(accountTotals);
  }

  /** The order's entries, oldest first, with their postings. */
  async journal(outTradeNo: string): Promise<JournalEntry[]> {
    const entries = await this.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .orderBy('posted_at')
      // Entries booked in one batch share `posted_at`: the order's sequence keeps them in order.
      .orderBy('event_sequence')
      .orderBy('id')
      .execute();
    if (entries.length === 0) return [];
    const postings = await this.db
      .selectFrom('ledger_postings')
      .selectAll()
      .where(
        'entry_id',
        'in',
        entries.map((e) => e.id),
      )
      .orderBy('entry_id')
      .orderBy('line')
      .execute();
    return entries.map((e) => ({
      id: e.id,
      eventId: e.event_id,
      eventType: e.event_type,
      outTradeNo: e.out_trade_no,
      refundNo: e.refund_no,
      postedAt: e.posted_at,
      postings: postings
        .filter((p) => p.entry_id === e.id)
        .map((p) => ({
          account: p.account,
          side: p.side,
          amountMinor: p.amount_minor,
          currency: p.currency as Currency,
        })),
    }));
  }

  /** What the ledger booked for an order, read from its entries' clearing and late-payment postings. */
  async orderTotals(outTradeNo: string): Promise<OrderTotals> {
    return (await this.ordersTotals([outTradeNo])).get(outTradeNo)?.totals ?? totalsOf([]);
  }

  /**
   * {@link orderTotals} of many orders in a few statements, with the wallet of each order's entries;
   * orders without entries are absent from the map.
   */
  async ordersTotals(
    outTradeNos: readonly string[],
  ): Promise<Map<string, { totals: OrderTotals; wallet: string }>> {
    const byOrder = new Map<string, { wallet: string; rows: TotalsRow[] }>();
    for (const slice of chunks([...new Set(outTradeNos)], ROWS_PER_STATEMENT)) {
      const rows = await this.db
        .selectFrom('ledger_entries')
        .innerJoin('ledger_postings', 'ledger_postings.entry_id', 'ledger_entries.id')
        .select([
          'ledger_entries.out_trade_no',
          'ledger_entries.wallet',
          'ledger_entries.event_type',
          'ledger_postings.account',
          'ledger_postings.side',
          'ledger_postings.amount_minor',
          'ledger_postings.currency',
        ])
        .where('ledger_entries.out_trade_no', 'in', slice)
        .execute();
      for (const r of rows) {
        const order = byOrder.get(r.out_trade_no) ?? { wallet: r.wallet, rows: [] };
        order.rows.push(r);
        byOrder.set(r.out_trade_no, order);
      }
    }
    return new Map(
      [...byOrder].map(([order, { wallet, rows }]) => [order, { totals: totalsOf(rows), wallet }] as const),
    );
  }

  /** Orders to reconcile: those seen created or booked, most recent first. */
  async recentOrders(limit: number): Promise<string[]> {
    const rows = await sql<{ out_trade_no: string }>`
      select out_trade_no from (
        select out_trade_no, seen_at as at from ledger_orders
        union all
        select out_trade_no, posted_at as at from ledger_entries
      ) as o group by out_trade_no order by max(at) desc limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => r.out_trade_no);
  }
}
