// The floor under the plugin host's ledger (target 5): a kafkajs `eachBatch` consumer in the
// bench process that writes, for each batch, the rows the ledger writes for it (the reported
// events, the orders, the journal entries with their postings, the balances) into `floor_` copies
// of the ledger's tables, with ONE statement per table per batch (arrays through unnest, so no
// bound-parameter limit) inside ONE transaction, and commits the batch's offsets after that
// transaction has committed. Postings come from the ledger's own `bookingFor`, entry ids from its
// `entryIdFor`. What it leaves out is the host's and the plugin's work: schema validation, the
// per-event dedupe and per-order sequence checks, the reads before booking, the outbox of
// `ledger.entry.posted`, metrics and logs.
import { type BookedEvent, bookingFor, bookingKey, entryIdFor } from '@paystream/accounting';
import { cloudEventFromKafka } from '@paystream/events';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { placeGroup, TOPIC } from './backlog.js';
import { round } from './stats.js';

export const FLOOR_SCHEMA = `
CREATE TABLE floor_entries (
  id varchar(64) PRIMARY KEY, event_id varchar(128) NOT NULL UNIQUE, booking_key varchar(200) NOT NULL UNIQUE,
  event_type varchar(64) NOT NULL, out_trade_no varchar(64) NOT NULL, refund_no varchar(64),
  wallet varchar(16) NOT NULL, currency varchar(3) NOT NULL, posted_at varchar(40) NOT NULL, event_sequence integer);
CREATE INDEX floor_entries_order ON floor_entries (out_trade_no);
CREATE TABLE floor_postings (
  entry_id varchar(64) NOT NULL REFERENCES floor_entries (id), line integer NOT NULL,
  account varchar(200) NOT NULL, side varchar(6) NOT NULL CHECK (side IN ('debit', 'credit')),
  amount_minor bigint NOT NULL, currency varchar(3) NOT NULL, PRIMARY KEY (entry_id, line));
CREATE INDEX floor_postings_account ON floor_postings (account, currency);
CREATE TABLE floor_balances (
  account varchar(200) NOT NULL, currency varchar(3) NOT NULL, debit_minor bigint NOT NULL,
  credit_minor bigint NOT NULL, PRIMARY KEY (account, currency));
CREATE TABLE floor_orders (
  out_trade_no varchar(64) PRIMARY KEY, currency varchar(3) NOT NULL, amount_minor bigint NOT NULL,
  seen_at varchar(40) NOT NULL);
CREATE TABLE floor_events (
  fact_key varchar(200) PRIMARY KEY, event_id varchar(128) NOT NULL, event_type varchar(64) NOT NULL,
  out_trade_no varchar(64) NOT NULL, sequence integer NOT NULL, wallet varchar(16) NOT NULL,
  currency varchar(3) NOT NULL, amount_minor bigint NOT NULL, refund_no varchar(64),
  refund_amount_minor bigint, refunded_total_minor bigint, occurred_at varchar(40) NOT NULL);
CREATE INDEX floor_events_order ON floor_events (out_trade_no);
CREATE INDEX floor_events_time ON floor_events (occurred_at);
`;

interface EventLike {
  id: string;
  type: string;
  time: string;
  data: {
    outTradeNo: string;
    sequence: number;
    wallet: string;
    currency: string;
    amountMinor: number;
    refundNo?: string;
    refundAmountMinor?: number;
    refundedTotalMinor?: number;
    occurredAt: string;
  };
}

/** The rows of one batch, column by column (what the unnest statements take). */
export function floorRows(events: readonly EventLike[], postedAt: string) {
  const ev = { key: [] as string[], id: [] as string[], type: [] as string[], order: [] as string[] };
  const evMore = {
    seq: [] as number[],
    wallet: [] as string[],
    currency: [] as string[],
    amount: [] as number[],
    refundNo: [] as (string | null)[],
    refundAmount: [] as (number | null)[],
    refundedTotal: [] as (number | null)[],
    at: [] as string[],
  };
  const orders = {
    no: [] as string[],
    currency: [] as string[],
    amount: [] as number[],
    seen: [] as string[],
  };
  const entries = {
    id: [] as string[],
    eventId: [] as string[],
    key: [] as string[],
    type: [] as string[],
    order: [] as string[],
    wallet: [] as string[],
    currency: [] as string[],
    seq: [] as number[],
  };
  const postings = {
    entry: [] as string[],
    line: [] as number[],
    account: [] as string[],
    side: [] as string[],
    amount: [] as number[],
    currency: [] as string[],
  };
  const balances = new Map<string, { account: string; currency: string; debit: number; credit: number }>();
  // One row per fact, as the ledger keeps them: a second event for a fact adds nothing.
  const seenFacts = new Set<string>();
  for (const e of events) {
    const d = e.data;
    const created = e.type === 'payment.created';
    const fact = created ? `created:${d.outTradeNo}` : bookingKey(e as unknown as BookedEvent);
    if (seenFacts.has(fact)) continue;
    seenFacts.add(fact);
    ev.key.push(fact);
    ev.id.push(e.id);
    ev.type.push(e.type);
    ev.order.push(d.outTradeNo);
    evMore.seq.push(d.sequence);
    evMore.wallet.push(d.wallet);
    evMore.currency.push(d.currency);
    evMore.amount.push(d.amountMinor);
    evMore.refundNo.push(d.refundNo ?? null);
    evMore.refundAmount.push(d.refundAmountMinor ?? null);
    evMore.refundedTotal.push(d.refundedTotalMinor ?? null);
    evMore.at.push(new Date(d.occurredAt).toISOString());
    if (created) {
      orders.no.push(d.outTradeNo);
      orders.currency.push(d.currency);
      orders.amount.push(d.amountMinor);
      orders.seen.push(e.time);
      continue;
    }
    const booking = bookingFor(e as unknown as BookedEvent);
    if (!booking) continue;
    const id = entryIdFor(e.id);
    entries.id.push(id);
    entries.eventId.push(e.id);
    entries.key.push(booking.key);
    entries.type.push(e.type);
    entries.order.push(d.outTradeNo);
    entries.wallet.push(d.wallet);
    entries.currency.push(booking.currency);
    entries.seq.push(d.sequence);
    booking.postings.forEach((p, line) => {
      postings.entry.push(id);
      postings.line.push(line);
      postings.account.push(p.account);
      postings.side.push(p.side);
      postings.amount.push(p.amountMinor);
      postings.currency.push(p.currency);
      const k = `${p.account}\u0000${p.currency}`;
      const b = balances.get(k) ?? { account: p.account, currency: p.currency, debit: 0, credit: 0 };
      if (p.side === 'debit') b.debit += p.amountMinor;
      else b.credit += p.amountMinor;
      balances.set(k, b);
    });
  }
  // In one order for every transaction, as the ledger moves them.
  const sorted = [...balances.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, b]) => b);
  return { events: { ...ev, ...evMore }, orders, entries, postings, balances: sorted, postedAt };
}

/** Writes one batch's rows in one transaction, one statement per table. */
async function writeBatch(db: pg.Client, rows: ReturnType<typeof floorRows>): Promise<void> {
  const { events: e, orders: o, entries: en, postings: p, balances: b } = rows;
  await db.query('BEGIN');
  try {
    if (e.key.length)
      await db.query(
        `INSERT INTO floor_events SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[],
           $5::int[], $6::varchar[], $7::varchar[], $8::bigint[], $9::varchar[], $10::bigint[], $11::bigint[], $12::varchar[])
         ON CONFLICT (fact_key) DO NOTHING`,
        [
          e.key,
          e.id,
          e.type,
          e.order,
          e.seq,
          e.wallet,
          e.currency,
          e.amount,
          e.refundNo,
          e.refundAmount,
          e.refundedTotal,
          e.at,
        ],
      );
    if (o.no.length)
      await db.query(
        `INSERT INTO floor_orders SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::varchar[])
         ON CONFLICT (out_trade_no) DO NOTHING`,
        [o.no, o.currency, o.amount, o.seen],
      );
    if (en.id.length) {
      await db.query(
        `INSERT INTO floor_entries (id, event_id, booking_key, event_type, out_trade_no, wallet, currency, posted_at, event_sequence)
         SELECT id, event_id, booking_key, event_type, out_trade_no, wallet, currency, $8, seq
         FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $9::int[])
           AS t (id, event_id, booking_key, event_type, out_trade_no, wallet, currency, seq)`,
        [en.id, en.eventId, en.key, en.type, en.order, en.wallet, en.currency, rows.postedAt, en.seq],
      );
      await db.query(
        `INSERT INTO floor_postings SELECT * FROM unnest($1::varchar[], $2::int[], $3::varchar[], $4::varchar[], $5::bigint[], $6::varchar[])`,
        [p.entry, p.line, p.account, p.side, p.amount, p.currency],
      );
      await db.query(
        `INSERT INTO floor_balances SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::bigint[])
         ON CONFLICT (account, currency) DO UPDATE SET
           debit_minor = floor_balances.debit_minor + excluded.debit_minor,
           credit_minor = floor_balances.credit_minor + excluded.credit_minor`,
        [b.map((x) => x.account), b.map((x) => x.currency), b.map((x) => x.debit), b.map((x) => x.credit)],
      );
    }
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export interface Timed {
  events: number;
  seconds: number;
  perSecond: number;
}

/**
 * Runs the floor consumer from `offsets` on a fresh database (`databaseUrl`) until it has
 * committed `n` events; events/s from the first batch received to the last transaction committed.
 */
export async function floorConsumer(
  kafka: Kafka,
  admin: Admin,
  group: string,
  offsets: Map<number, string>,
  n: number,
  databaseUrl: string,
): Promise<Timed & { rows: Record<string, number> }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(FLOOR_SCHEMA);
  await placeGroup(admin, group, offsets);
  const consumer = kafka.consumer({ groupId: group, maxBytesPerPartition: 1024 * 1024 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let count = 0;
    let first = 0;
    const done = new Promise<number>((resolve, reject) => {
      void consumer.run({
        eachBatchAutoResolve: false,
        autoCommitThreshold: 1,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
          if (first === 0) first = performance.now();
          if (batch.messages.length === 0) return;
          try {
            const events = batch.messages.map((m) => cloudEventFromKafka(m) as unknown as EventLike);
            await writeBatch(db, floorRows(events, new Date().toISOString()));
          } catch (err) {
            reject(err);
            throw err;
          }
          resolveOffset(batch.messages.at(-1)!.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
          count += batch.messages.length;
          if (count >= n) resolve(performance.now());
        },
      });
    });
    const last = await done;
    const seconds = (last - first) / 1000;
    const counts = await db.query<{ t: string; n: string }>(
      `SELECT 'entries' AS t, count(*) AS n FROM floor_entries UNION ALL SELECT 'postings', count(*) FROM floor_postings
       UNION ALL SELECT 'orders', count(*) FROM floor_orders UNION ALL SELECT 'events', count(*) FROM floor_events`,
    );
    const rows = Object.fromEntries(counts.rows.map((r) => [r.t, Number(r.n)]));
    return { events: count, seconds: round(seconds, 2), perSecond: round(count / seconds, 0), rows };
  } finally {
    await consumer.disconnect();
    await db.end();
  }
}
