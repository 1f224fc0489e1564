import type { Migration } from '@paystream/db';
import { type CreateTableBuilder, type Kysely, PostgresAdapter } from 'kysely';

/** Outbox table name. */
export const OUTBOX_TABLE = 'paystream_outbox';

/**
 * Creates an outbox table as the relays read it: `position` first, the order they send in (an
 * identity column on PostgreSQL, a rowid alias on SQLite), then the table's own `columns`,
 * `created_at`, `sent_at` (null until sent), and the index on pending rows, `<table>_pending`.
 */
export async function createOutboxTable(
  db: Kysely<unknown>,
  table: string,
  columns: (t: CreateTableBuilder<string, string>) => CreateTableBuilder<string, string>,
): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const withPosition = db.schema
    .createTable(table)
    .addColumn('position', pg ? 'bigserial' : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    );
  await columns(withPosition)
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('sent_at', 'varchar(40)')
    .execute();
  await db.schema.createIndex(`${table}_pending`).on(table).columns(['sent_at', 'position']).execute();
}

/** Migrations of the outbox: `migrateToLatest(db, 'outbox', outboxMigrations)`. */
export const outboxMigrations: Record<string, Migration> = {
  '001_outbox': {
    async up(db: Kysely<unknown>) {
      await createOutboxTable(db, OUTBOX_TABLE, (t) =>
        t
          .addColumn('event_id', 'varchar(128)', (c) => c.notNull().unique())
          .addColumn('type', 'varchar(64)', (c) => c.notNull())
          .addColumn('subject', 'varchar(64)', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull()),
      );
    },
  },
};
