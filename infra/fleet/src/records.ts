// What a gateway fleet recorded, read straight from the database every gateway of the fleet
// shares. Events come from the outbox table: each row's payload is the CloudEvent exactly as it
// was committed with its state change, before any relay (or a second relay) publishes it, so a
// duplicate there is a duplicate the gateways recorded, not one the bus made.
//
// The row types name the columns read here (the gateway owns the tables and their migrations;
// services/gateway/src/store/schema.ts has them all).
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import type { PaystreamEvent } from '@paystream/events';

/** A gateway_orders row, as far as the fleet reads it. */
export interface OrderRow {
  out_trade_no: string;
  caller: string;
  amount_minor: number;
  currency: string;
  wallet: string;
  status: string;
  upstream_trade_no: string | null;
  refunded_minor: number;
  sequence: number;
  intent: string | null;
  intent_at: string | null;
  version: number;
}

/** A gateway_refunds row, as far as the fleet reads it. */
export interface RefundRow {
  out_trade_no: string;
  refund_no: string;
  amount_minor: number;
  status: string;
  last_code: string | null;
  /** The refund number sent upstream (namespaced by order). */
  upstream_ref: string;
}

interface OutboxTable {
  position: number;
  event_id: string;
  type: string;
  subject: string;
  payload: string;
  created_at: string;
  sent_at: string | null;
}

interface FleetSchema {
  gateway_orders: OrderRow;
  gateway_refunds: RefundRow;
  paystream_outbox: OutboxTable;
}

export interface FleetRecords {
  /** Every event recorded (of these orders, when given), in the order the rows were written. */
  events(outTradeNos?: readonly string[]): Promise<PaystreamEvent[]>;
  /** The order's gateway_orders row. */
  order(outTradeNo: string): Promise<OrderRow | undefined>;
  /** Every gateway_orders row. */
  orders(): Promise<OrderRow[]>;
  /** Every gateway_refunds row. */
  refunds(): Promise<RefundRow[]>;
  /** Those of the orders whose row still holds an intent (create, cancel, close). */
  openIntents(outTradeNos: readonly string[]): Promise<string[]>;
  /** Every order whose row holds an intent, and every refund still pending. */
  unsettled(): Promise<{ intents: number; pendingRefunds: number }>;
  /** Outbox rows not published yet. */
  outboxPending(): Promise<number>;
  /** Every outbox row's event id, order and whether it was sent, in position order. */
  outbox(): Promise<{ id: string; subject: string; sent: boolean }[]>;
  close(): Promise<void>;
}

/** Opens the fleet's database from the test process (a reader beside the gateways). */
export function openFleetRecords(url: string): FleetRecords {
  const database: Database<FleetSchema> = openDatabase<FleetSchema>({ url, poolSize: 2 });
  const db = database.db as Kysely<FleetSchema>;
  return {
    async events(outTradeNos) {
      if (outTradeNos?.length === 0) return [];
      let query = db.selectFrom('paystream_outbox').select('payload').orderBy('position');
      if (outTradeNos) query = query.where('subject', 'in', [...outTradeNos]);
      const rows = await query.execute();
      return rows.map((r) => JSON.parse(r.payload) as PaystreamEvent);
    },
    order: (outTradeNo) =>
      db.selectFrom('gateway_orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst(),
    orders: () => db.selectFrom('gateway_orders').selectAll().orderBy('out_trade_no').execute(),
    refunds: () =>
      db.selectFrom('gateway_refunds').selectAll().orderBy('out_trade_no').orderBy('refund_no').execute(),
    async openIntents(outTradeNos) {
      if (outTradeNos.length === 0) return [];
      const rows = await db
        .selectFrom('gateway_orders')
        .select('out_trade_no')
        .where('out_trade_no', 'in', [...outTradeNos])
        .where('intent', 'is not', null)
        .execute();
      return rows.map((r) => r.out_trade_no);
    },
    async unsettled() {
      const [intents, refunds] = await Promise.all([
        db
          .selectFrom('gateway_orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where((eb) => eb.or([eb('intent', 'is not', null), eb('status', '=', 'unknown')]))
          .executeTakeFirstOrThrow(),
        db
          .selectFrom('gateway_refunds')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow(),
      ]);
      return { intents: Number(intents.n), pendingRefunds: Number(refunds.n) };
    },
    async outboxPending() {
      const row = await db
        .selectFrom('paystream_outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('sent_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async outbox() {
      const rows = await db
        .selectFrom('paystream_outbox')
        .select(['event_id', 'subject', 'sent_at'])
        .orderBy('position')
        .execute();
      return rows.map((r) => ({ id: r.event_id, subject: r.subject, sent: r.sent_at !== null }));
    },
    close: () => database.destroy(),
  };
}
