export type {
  ColumnType,
  Generated,
  Insertable,
  Kysely,
  QueryResult,
  Selectable,
  Transaction,
  Updateable,
} from 'kysely';
export { sql } from 'kysely';
export { isPostgres, isSqlite } from './dialect.js';
export { transact, writeOne } from './group-commit.js';
export type { Migration } from './migrate.js';
export { migrateToLatest } from './migrate.js';
export type { Database, DatabaseKind, OpenDatabaseOptions } from './open.js';
export { openDatabase, redactUrl } from './open.js';
export { preparedQuery } from './prepared.js';
