import { outboxMigrations } from '@paystream/bus';
import { type Kysely, migrateToLatest } from '@paystream/db';
import { gatewayMigrations } from './store/migrations.js';

/** Migrates the gateway's tables and the outbox it writes events into (same database, one transaction each). */
export async function prepareDatabase(db: Kysely<unknown>): Promise<void> {
  await migrateToLatest(db, 'gateway', gatewayMigrations);
  await migrateToLatest(db, 'outbox', outboxMigrations);
}
