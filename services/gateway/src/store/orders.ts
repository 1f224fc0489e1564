import { isPostgres, type Kysely, preparedQuery, type Selectable, type Transaction } from '@paystream/db';
import type { GatewaySchema, OrdersTable, RefundsTable } from './schema.js';

export type Order = Selectable<OrdersTable>;
export type Refund = Selectable<RefundsTable>;
export type Db = Kysely<GatewaySchema>;
export type Trx = Transaction<GatewaySchema>;

// The statements of every request, built and compiled once (see preparedQuery of @paystream/db).
const selectOrder = preparedQuery((db: Db, v: { out_trade_no: string }) =>
  db.selectFrom('gateway_orders').selectAll().where('out_trade_no', '=', v.out_trade_no),
);
const selectRefunds = preparedQuery((db: Db, v: { out_trade_no: string }) =>
  db
    .selectFrom('gateway_refunds')
    .selectAll()
    .where('out_trade_no', '=', v.out_trade_no)
    .orderBy('created_at')
    .orderBy('refund_no'),
);
const selectRefund = preparedQuery((db: Db, v: { out_trade_no: string; refund_no: string }) =>
  db
    .selectFrom('gateway_refunds')
    .selectAll()
    .where('out_trade_no', '=', v.out_trade_no)
    .where('refund_no', '=', v.refund_no),
);
const insertNewOrder = preparedQuery((db: Db, order: Order) =>
  db
    .insertInto('gateway_orders')
    .values(order)
    .onConflict((oc) => oc.column('out_trade_no').doNothing())
    .returning('out_trade_no'),
);
// Compare-and-set: the row is written only if no one wrote it since `expected` was read.
const updateOrderIf = preparedQuery(
  (db: Db, v: Omit<Order, 'sequence' | 'version'> & { events: number; expected: number }) => {
    const { out_trade_no, events, expected, ...rest } = v;
    return db
      .updateTable('gateway_orders')
      .set((eb) => ({ ...rest, sequence: eb('sequence', '+', events), version: eb('version', '+', 1) }))
      .where('out_trade_no', '=', out_trade_no)
      .where('version', '=', expected)
      .returning(['sequence', 'version']);
  },
);
const updateRefund = preparedQuery((db: Db, refund: Refund) => {
  const { out_trade_no, refund_no, ...rest } = refund;
  return db
    .updateTable('gateway_refunds')
    .set(rest)
    .where('out_trade_no', '=', out_trade_no)
    .where('refund_no', '=', refund_no);
});

export async function findOrder(db: Db | Trx, outTradeNo: string): Promise<Order | undefined> {
  return (await selectOrder(db, { out_trade_no: outTradeNo })).rows[0];
}

export async function listRefunds(db: Db | Trx, outTradeNo: string): Promise<Refund[]> {
  return (await selectRefunds(db, { out_trade_no: outTradeNo })).rows;
}

export async function findRefund(
  db: Db | Trx,
  outTradeNo: string,
  refundNo: string,
): Promise<Refund | undefined> {
  return (await selectRefund(db, { out_trade_no: outTradeNo, refund_no: refundNo })).rows[0];
}

/**
 * Inserts a new order's row, unless one with its number exists. Answers whether it inserted: a
 * create of a new number records its intent with this one statement, and only a number already
 * taken is looked up.
 */
export async function insertOrder(db: Db | Trx, order: Order): Promise<boolean> {
  return (await insertNewOrder(db, order)).rows.length === 1;
}

/**
 * Writes an order's row (everything but its sequence and version) if its version is still
 * `expected`, and hands out its next `events` event sequence numbers in the same statement.
 * Answers the sequence after them and the new version, or undefined when another write came
 * first (the caller reads the row again and recomputes). The UPDATE takes the row lock
 * (PostgreSQL) or holds the write lock (SQLite) for the rest of the transaction, so concurrent
 * requests on one order get gapless, distinct numbers.
 */
export async function saveOrderIf(
  trx: Trx,
  order: Order,
  expected: number,
  events: number,
): Promise<{ sequence: number; version: number } | undefined> {
  // The sequence and version are only ever advanced here, never written back from a row read earlier.
  const { sequence: _sequence, version: _version, ...rest } = order;
  return (await updateOrderIf(trx, { ...rest, events, expected })).rows[0];
}

/**
 * The order as it is now, locked for the rest of the transaction: `FOR UPDATE` on PostgreSQL;
 * on SQLite the transaction already holds the database's write lock (it began IMMEDIATE).
 */
export async function lockOrder(trx: Trx, outTradeNo: string): Promise<Order | undefined> {
  const q = trx.selectFrom('gateway_orders').selectAll().where('out_trade_no', '=', outTradeNo);
  return isPostgres(trx) ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
}

export async function saveRefund(trx: Trx, refund: Refund): Promise<void> {
  const updated = await updateRefund(trx, refund);
  if (Number(updated.numAffectedRows) === 0) await trx.insertInto('gateway_refunds').values(refund).execute();
}

/** Orders with an intent recorded before `before` (ISO time): the sweeper's work. */
export function staleIntents(
  db: Db,
  before: string,
  limit: number,
): Promise<Pick<Order, 'out_trade_no' | 'intent_at'>[]> {
  return db
    .selectFrom('gateway_orders')
    .select(['out_trade_no', 'intent_at'])
    .where('intent', 'is not', null)
    .where('intent_at', '<', before)
    .orderBy('intent_at')
    .limit(limit)
    .execute();
}

/** Refunds still pending since before `before` (ISO time). */
export function stalePendingRefunds(
  db: Db,
  before: string,
  limit: number,
): Promise<Pick<Refund, 'out_trade_no' | 'refund_no' | 'updated_at'>[]> {
  return db
    .selectFrom('gateway_refunds')
    .select(['out_trade_no', 'refund_no', 'updated_at'])
    .where('status', '=', 'pending')
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/**
 * Takes a stale intent for settling (a lease): moves its time to `now` if it is still the one
 * recorded at `intentAt`. Of several sweepers (one per gateway instance) that found it, one gets
 * it; the others see it as fresh until the lease runs out, as if a request had it in flight.
 */
export async function claimIntent(
  db: Db,
  outTradeNo: string,
  intentAt: string,
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('gateway_orders')
    .set((eb) => ({ intent_at: now, version: eb('version', '+', 1) }))
    .where('out_trade_no', '=', outTradeNo)
    .where('intent_at', '=', intentAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** {@link claimIntent} for a pending refund, whose intent time is its `updated_at`. */
export async function claimPendingRefund(
  db: Db,
  key: Pick<Refund, 'out_trade_no' | 'refund_no' | 'updated_at'>,
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('gateway_refunds')
    .set({ updated_at: now })
    .where('out_trade_no', '=', key.out_trade_no)
    .where('refund_no', '=', key.refund_no)
    .where('status', '=', 'pending')
    .where('updated_at', '=', key.updated_at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
