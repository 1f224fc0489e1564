import type { Kysely } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';

export type { Migration } from 'kysely/migration';

/**
 * Runs one component's migrations to the latest. Each component keeps its own migration table
 * (`<name>_migrations`), so packages that share a database evolve their tables independently.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  name: string,
  migrations: Readonly<Record<string, Migration>>,
): Promise<void> {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`migration set name must be snake_case, got ${name}`);
  const provider: MigrationProvider = { getMigrations: async () => ({ ...migrations }) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: `${name}_migrations`,
    migrationLockTableName: `${name}_migrations_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${name}/${failed} failed`, { cause: error });
  }
}
