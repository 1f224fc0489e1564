import { type Kysely, preparedQuery, type Selectable, type Transaction } from '@paystream/db';
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
const updateOrder = preparedQuery((db: Db, v: Omit<Order, 'sequence'> & { events: number }) => {
  const { out_trade_no, events, ...rest } = v;
  return db
    .updateTable('gateway_orders')
    .set((eb) => ({ ...rest, sequence: eb('sequence', '+', events) }))
    .where('out_trade_no', '=', out_trade_no)
    .returning('sequence');
});
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
 * Writes an order's row (everything but its sequence) and hands out its next `events` event
 * sequence numbers in the same statement; answers the sequence after them (the last one handed
 * out). The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) for the rest of the
 * transaction, so concurrent requests on one order get gapless, distinct numbers.
 */
export async function saveOrder(
  trx: Trx,
  order: Omit<Order, 'sequence'> & { sequence?: number },
  events: number,
): Promise<number> {
  // The sequence is only ever advanced here, never written back from a row read earlier.
  const { sequence: _sequence, ...rest } = order;
  const updated = (await updateOrder(trx, { ...rest, events })).rows[0];
  if (updated) return updated.sequence;
  await trx
    .insertInto('gateway_orders')
    .values({ ...rest, sequence: events })
    .execute();
  return events;
}

export async function saveRefund(trx: Trx, refund: Refund): Promise<void> {
  const updated = await updateRefund(trx, refund);
  if (Number(updated.numAffectedRows) === 0) await trx.insertInto('gateway_refunds').values(refund).execute();
}

/** Orders with an intent recorded before `before` (ISO time): the sweeper's work. */
export function staleIntents(db: Db, before: string, limit: number): Promise<Pick<Order, 'out_trade_no'>[]> {
  return db
    .selectFrom('gateway_orders')
    .select('out_trade_no')
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
): Promise<Pick<Refund, 'out_trade_no' | 'refund_no'>[]> {
  return db
    .selectFrom('gateway_refunds')
    .select(['out_trade_no', 'refund_no'])
    .where('status', '=', 'pending')
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}
