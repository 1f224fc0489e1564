// What a gateway fleet recorded, read straight from the database every gateway of the fleet
// shares. Events come from the outbox table: each row's payload is the CloudEvent exactly as it
// was committed with its state change, before any relay (or a second relay) publishes it, so a
// duplicate there is a duplicate the gateways recorded, not one the bus made.
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import type { PaystreamEvent } from '@paystream/events';
import type { Order } from '../../src/store/orders.js';
import type { GatewaySchema } from '../../src/store/schema.js';

interface OutboxTable {
  position: number;
  event_id: string;
  type: string;
  subject: string;
  payload: string;
  created_at: string;
  sent_at: string | null;
}

type FleetSchema = GatewaySchema & { paystream_outbox: OutboxTable };

export interface FleetRecords {
  /** Every event recorded (of these orders, when given), in the order the rows were written. */
  events(outTradeNos?: readonly string[]): Promise<PaystreamEvent[]>;
  /** The order's gateway_orders row. */
  order(outTradeNo: string): Promise<Order | undefined>;
  /** Those of the orders whose row still holds an intent (create, cancel, close). */
  openIntents(outTradeNos: readonly string[]): Promise<string[]>;
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
    close: () => database.destroy(),
  };
}
