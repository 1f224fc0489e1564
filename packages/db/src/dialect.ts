import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Kysely,
  PostgresAdapter,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDriver,
} from 'kysely';

/** Whether `db` (a Kysely handle or a transaction) talks to SQLite. */
// biome-ignore lint/suspicious/noExplicitAny: any schema, any handle or transaction.
export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** Whether `db` (a Kysely handle or a transaction) talks to PostgreSQL. */
// biome-ignore lint/suspicious/noExplicitAny: any schema, any handle or transaction.
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

/**
 * SQLite whose transactions begin IMMEDIATE: they take the write lock first, waiting for it up to
 * `busy_timeout`. A DEFERRED transaction that reads, then writes after another process committed,
 * fails at once with SQLITE_BUSY_SNAPSHOT; several processes sharing one file (two gateways, say)
 * need every read-then-write transaction serialised from its start.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver() as SqliteDriver;
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(BEGIN_IMMEDIATE);
    };
    return driver;
  }
}
