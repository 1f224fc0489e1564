import type { Migration } from '@paystream/db';
import { type Kysely, PostgresAdapter } from 'kysely';

/** Outbox table name. */
export const OUTBOX_TABLE = 'paystream_outbox';

/** Migrations of the outbox: `migrateToLatest(db, 'outbox', outboxMigrations)`. */
export const outboxMigrations: Record<string, Migration> = {
  '001_outbox': {
    async up(db: Kysely<unknown>) {
      // `position` orders the relay: an identity column on PostgreSQL, a rowid alias on SQLite.
      const pg = db.getExecutor().adapter instanceof PostgresAdapter;
      await db.schema
        .createTable(OUTBOX_TABLE)
        .addColumn('position', pg ? 'bigserial' : 'integer', (c) =>
          pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('event_id', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('subject', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('sent_at', 'varchar(40)')
        .execute();
      await db.schema
        .createIndex('paystream_outbox_pending')
        .on(OUTBOX_TABLE)
        .columns(['sent_at', 'position'])
        .execute();
    },
  },
};
