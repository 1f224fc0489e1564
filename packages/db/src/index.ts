export type {
  ColumnType,
  Compilable,
  Generated,
  Insertable,
  Kysely,
  QueryResult,
  RawBuilder,
  Selectable,
  Transaction,
  Updateable,
} from 'kysely';
export { sql } from 'kysely';
export { isPostgres, isSqlite } from './dialect.js';
export * from './group-commit.js';
export * from './migrate.js';
export * from './open.js';
export * from './prepared.js';
export * from './statement-batch.js';
export * from './unavailable.js';
