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

/** The processed-ids table. */
export const PROCESSED_EVENTS_TABLE = 'paystream_processed_events';

/** Migrations of the processed-ids table: `migrateToLatest(db, 'bus_dedupe', processedIdsMigrations)`. */
export const processedIdsMigrations: Record<string, Migration> = {
  '001_processed_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(PROCESSED_EVENTS_TABLE)
        .ifNotExists()
        .addColumn('group_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('event_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('processed_at', 'varchar(40)', (c) => c.notNull())
        .addPrimaryKeyConstraint('paystream_processed_events_pk', ['group_name', 'event_id'])
        .execute();
    },
  },
  // Pruning finds the ids past their retention by age (retention/pruner.ts).
  '002_processed_at': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('paystream_processed_events_processed_at')
        .ifNotExists()
        .on(PROCESSED_EVENTS_TABLE)
        .column('processed_at')
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

// Ids per statement: far below SQLite's and PostgreSQL's bound-parameter limits.
const IDS_PER_STATEMENT = 1000;

function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * The selects of {@link processedAmong}, one per thousand ids, built on `db` and not run: for a
 * caller that runs them with other reads of its own (each answers rows of `event_id`).
 */
export function processedAmongQueries(
  // biome-ignore lint/suspicious/noExplicitAny: see sqlProcessedIds.
  db: Kysely<any>,
  group: string,
  ids: readonly string[],
) {
  return [...slices([...new Set(ids)], IDS_PER_STATEMENT)].map((slice) =>
    db
      .selectFrom(PROCESSED_EVENTS_TABLE)
      .select('event_id')
      .where('group_name', '=', group)
      .where('event_id', 'in', slice),
  );
}

/**
 * Which of `ids` the group has finished, in one query per thousand ids: the batch form of
 * `sqlProcessedIds(db).has`. Pass the transaction the batch's effects are written in.
 */
export async function processedAmong(
  // biome-ignore lint/suspicious/noExplicitAny: see sqlProcessedIds.
  db: Kysely<any>,
  group: string,
  ids: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const query of processedAmongQueries(db, group, ids)) {
    const rows = (await query.execute()) as { event_id: string }[];
    for (const r of rows) found.add(r.event_id);
  }
  return found;
}

/**
 * The inserts of {@link markProcessed}, one per thousand ids, built on `db` and not run: for a
 * caller that runs them with other writes of its own, in the same transaction.
 */
export function markProcessedStatements(
  // biome-ignore lint/suspicious/noExplicitAny: see sqlProcessedIds.
  db: Kysely<any>,
  group: string,
  ids: readonly string[],
) {
  const now = new Date().toISOString();
  return [...slices([...new Set(ids)], IDS_PER_STATEMENT)].map((slice) =>
    db
      .insertInto(PROCESSED_EVENTS_TABLE)
      .values(slice.map((id) => ({ group_name: group, event_id: id, processed_at: now })))
      .onConflict((oc) => oc.columns(['group_name', 'event_id']).doNothing()),
  );
}

/** Records `ids` as finished by the group, in one statement per thousand: the batch form of `add`. */
export async function markProcessed(
  // biome-ignore lint/suspicious/noExplicitAny: see sqlProcessedIds.
  db: Kysely<any>,
  group: string,
  ids: readonly string[],
): Promise<void> {
  for (const statement of markProcessedStatements(db, group, ids)) await statement.execute();
}
