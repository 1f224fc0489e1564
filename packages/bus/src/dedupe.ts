// At-least-once delivery means a handler may see an event twice (a crash after the handler but
// before the commit, a relay re-send). Handlers stay idempotent by remembering finished event ids
// per group; pass a store as `subscribe(..., { dedupe })` and the bus skips what is already done.
import type { Migration } from '@paystream/db';
import { type Kysely, sql } from 'kysely';
import type { ProcessedIds } from './types.js';

/** Processed ids in memory: for tests and for handlers whose effects are themselves in memory. */
export function memoryProcessedIds(): ProcessedIds & { size(group: string): number } {
  const seen = new Map<string, Set<string>>();
  const of = (group: string) => {
    const s = seen.get(group) ?? new Set<string>();
    seen.set(group, s);
    return s;
  };
  return {
    has: async (group, id) => of(group).has(id),
    add: async (group, id) => {
      of(group).add(id);
    },
    size: (group) => of(group).size,
  };
}

/** Migrations of the processed-ids table: `migrateToLatest(db, 'bus_dedupe', processedIdsMigrations)`. */
export const processedIdsMigrations: Record<string, Migration> = {
  '001_processed_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('paystream_processed_events')
        .ifNotExists()
        .addColumn('group_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('processed_at', 'varchar(40)', (c) => c.notNull())
        .addPrimaryKeyConstraint('paystream_processed_events_pk', ['group_name', 'event_id'])
        .execute();
    },
  },
};

/**
 * Processed ids in the plugin's own database (SQLite or PostgreSQL). Pass the same transaction a
 * handler writes its effects in as `db` to make "effect + mark processed" atomic.
 */
// biome-ignore lint/suspicious/noExplicitAny: the caller's schema type is theirs; we only touch our table.
export function sqlProcessedIds(db: Kysely<any>): ProcessedIds {
  return {
    has: async (group, id) => {
      const row = await db
        .selectFrom('paystream_processed_events')
        .select(sql<number>`1`.as('one'))
        .where('group_name', '=', group)
        .where('event_id', '=', id)
        .executeTakeFirst();
      return row !== undefined;
    },
    add: async (group, id) => {
      await db
        .insertInto('paystream_processed_events')
        .values({ group_name: group, event_id: id, processed_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['group_name', 'event_id']).doNothing())
        .execute();
    },
  };
}
