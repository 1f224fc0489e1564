import { type Kysely, type Migration, sql } from '@paystream/db';

/** The gateway's own tables, migrated as the `gateway` set. */
export const gatewayMigrations: Readonly<Record<string, Migration>> = {
  '0001_orders_refunds_idempotency': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gateway_orders')
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('caller', 'varchar(64)', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('wallet', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('upstream_trade_no', 'varchar(128)')
        .addColumn('qr_code_url', 'text')
        .addColumn('pay_url', 'text')
        .addColumn('description', 'text')
        .addColumn('notify_url', 'text')
        .addColumn('metadata', 'text')
        .addColumn('refunded_minor', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_code', 'varchar(16)')
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('paid_at', 'varchar(40)')
        .execute();
      await db.schema
        .createTable('gateway_refunds')
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('refund_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('last_code', 'varchar(16)')
        .addColumn('upstream_refund_no', 'varchar(128)')
        .addColumn('refunded_at', 'varchar(40)')
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
        .addPrimaryKeyConstraint('gateway_refunds_pk', ['out_trade_no', 'refund_no'])
        .execute();
      await db.schema
        .createTable('gateway_idempotency')
        .addColumn('caller', 'varchar(64)', (c) => c.notNull())
        .addColumn('key', 'varchar(255)', (c) => c.notNull())
        .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addPrimaryKeyConstraint('gateway_idempotency_pk', ['caller', 'key'])
        .execute();
      await db.schema
        .createTable('gateway_notifications')
        .addColumn('notify_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('received_at', 'varchar(40)', (c) => c.notNull())
        .execute();
    },
  },
  '0002_intents': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('gateway_orders').addColumn('intent', 'varchar(16)').execute();
      await db.schema.alterTable('gateway_orders').addColumn('intent_at', 'varchar(40)').execute();
      await db.schema.alterTable('gateway_orders').addColumn('query_code', 'varchar(16)').execute();
      await sql`update gateway_orders set intent = 'create', intent_at = updated_at where status = 'unknown'`.execute(
        db,
      );
      // Refunds recorded before namespacing were sent upstream under the caller's own number.
      await db.schema
        .alterTable('gateway_refunds')
        .addColumn('upstream_ref', 'varchar(64)', (c) => c.notNull().defaultTo(''))
        .execute();
      await sql`update gateway_refunds set upstream_ref = refund_no where upstream_ref = ''`.execute(db);
    },
  },
  '0003_order_version': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('gateway_orders')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  // Keys are pruned by age once past their retention (http/idempotency.ts).
  '0004_idempotency_created_at': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('gateway_idempotency_created_at')
        .on('gateway_idempotency')
        .column('created_at')
        .execute();
    },
  },
};
