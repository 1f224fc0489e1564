import { type Kysely, type Migration, sql } from '@paystream/plugin-sdk';

/** The ledger's tables (all prefixed `ledger_`, beside other plugins in one database). */
export interface LedgerSchema {
  ledger_entries: {
    id: string;
    event_id: string;
    booking_key: string;
    event_type: string;
    out_trade_no: string;
    refund_no: string | null;
    wallet: string;
    currency: string;
    posted_at: string;
    /** The booked event's sequence in its order (null for entries booked before it was kept). */
    event_sequence: number | null;
  };
  ledger_postings: {
    entry_id: string;
    line: number;
    account: string;
    side: 'debit' | 'credit';
    amount_minor: number;
    currency: string;
  };
  ledger_balances: {
    account: string;
    currency: string;
    debit_minor: number;
    credit_minor: number;
  };
  ledger_orders: {
    out_trade_no: string;
    currency: string;
    amount_minor: number;
    seen_at: string;
  };
  /**
   * The payment events the plugin consumed, one row per fact (`created:<o>` or the booking key),
   * as the gateway reported them: the gateway's side of the daily reconciliation.
   */
  ledger_events: {
    fact_key: string;
    event_id: string;
    event_type: string;
    out_trade_no: string;
    sequence: number;
    wallet: string;
    currency: string;
    amount_minor: number;
    refund_no: string | null;
    refund_amount_minor: number | null;
    refunded_total_minor: number | null;
    /** The event's `occurredAt` in UTC (`toISOString`), so instants compare as strings. */
    occurred_at: string;
  };
  /** Daily reconciliation reports, one per Hong Kong day, and the claim of a scheduled run. */
  ledger_reconciliation_days: {
    day: string;
    /** The last report (JSON, minor units); null while the first run is under way. */
    report: string | null;
    generated_at: string | null;
    /** When a scheduled run took the day (null when none holds it). */
    claimed_at: string | null;
  };
}

/** Migrations (tracked in `plugin_accounting_migrations`). Entries and postings are insert-only. */
export const ledgerMigrations: Record<string, Migration> = {
  '001_ledger': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('ledger_entries')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('event_id', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('booking_key', 'varchar(200)', (c) => c.notNull().unique())
        .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('refund_no', 'varchar(64)')
        .addColumn('wallet', 'varchar(16)', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('posted_at', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ledger_entries_order')
        .on('ledger_entries')
        .column('out_trade_no')
        .execute();
      await db.schema
        .createTable('ledger_postings')
        .addColumn('entry_id', 'varchar(64)', (c) => c.notNull().references('ledger_entries.id'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('account', 'varchar(200)', (c) => c.notNull())
        .addColumn('side', 'varchar(6)', (c) => c.notNull().check(sql`side in ('debit', 'credit')`))
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_postings_pk', ['entry_id', 'line'])
        .execute();
      await db.schema
        .createIndex('ledger_postings_account')
        .on('ledger_postings')
        .columns(['account', 'currency'])
        .execute();
      await db.schema
        .createTable('ledger_balances')
        .addColumn('account', 'varchar(200)', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('debit_minor', 'bigint', (c) => c.notNull())
        .addColumn('credit_minor', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_balances_pk', ['account', 'currency'])
        .execute();
      await db.schema
        .createTable('ledger_orders')
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'varchar(40)', (c) => c.notNull())
        .execute();
    },
  },
  '002_entry_sequence': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('ledger_entries').addColumn('event_sequence', 'integer').execute();
    },
  },
  '003_daily_reconciliation': {
    async up(db: Kysely<unknown>) {
      // Starts empty: the gateway's side of a day exists for the events consumed from this version on.
      await db.schema
        .createTable('ledger_events')
        .addColumn('fact_key', 'varchar(200)', (c) => c.primaryKey())
        .addColumn('event_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('wallet', 'varchar(16)', (c) => c.notNull())
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('refund_no', 'varchar(64)')
        .addColumn('refund_amount_minor', 'bigint')
        .addColumn('refunded_total_minor', 'bigint')
        .addColumn('occurred_at', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_events_order').on('ledger_events').column('out_trade_no').execute();
      await db.schema.createIndex('ledger_events_time').on('ledger_events').column('occurred_at').execute();
      await db.schema
        .createTable('ledger_reconciliation_days')
        .addColumn('day', 'varchar(10)', (c) => c.primaryKey())
        .addColumn('report', 'text')
        .addColumn('generated_at', 'varchar(40)')
        .addColumn('claimed_at', 'varchar(40)')
        .execute();
    },
  },
};
