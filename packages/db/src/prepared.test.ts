import { type Generated, type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import { type Database, openDatabase } from './open.js';
import { preparedQuery } from './prepared.js';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from './testing.js';

interface Schema {
  item: { id: string; amount_minor: number; note: string | null; version: Generated<number> };
}

const migrations = {
  '0001_item': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('item')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
};

type Db = Kysely<Schema>;

/** Resolves every caller once `n` of them have arrived (then every later one at once). */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived++;
    if (arrived >= n) open();
    return opened;
  };
}

const insertItem = preparedQuery(
  (db: Db, v: { id: string; amount_minor: number; note?: string | null; version?: number }) =>
    db
      .insertInto('item')
      .values(v)
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id'),
);
const bump = preparedQuery((db: Db, v: { id: string; by: number; note: string | null }) =>
  db
    .updateTable('item')
    .set((eb) => ({ note: v.note, version: eb('version', '+', v.by) }))
    .where('id', '=', v.id)
    .returning('version'),
);
const findItem = preparedQuery((db: Db, v: { id: string }) =>
  db.selectFrom('item').selectAll().where('id', '=', v.id),
);

describe.each(TEST_DATABASE_KINDS)('preparedQuery on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database<Schema>;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = openDatabase<Schema>({ url: testDb.url, poolSize: 3 });
    await migrateToLatest(database.db as Kysely<unknown>, 'preparedtest', migrations);
  });

  afterAll(async () => {
    await database?.destroy();
    await testDb?.drop();
  });

  it('binds each call its own values, and answers rows and returning columns', async () => {
    const { db } = database;
    for (let i = 1; i <= 5; i++) {
      const { rows } = await insertItem(db, { id: `a${i}`, amount_minor: i * 100, note: `n${i}` });
      expect(rows).toEqual([{ id: `a${i}` }]);
    }
    expect((await insertItem(db, { id: 'a1', amount_minor: 1, note: null })).rows).toEqual([]);
    expect((await bump(db, { id: 'a3', by: 2, note: null })).rows).toEqual([{ version: 2 }]);
    expect((await bump(db, { id: 'a3', by: 5, note: 'x' })).rows).toEqual([{ version: 7 }]);
    expect((await bump(db, { id: 'none', by: 5, note: 'x' })).rows).toEqual([]);
    expect((await findItem(db, { id: 'a3' })).rows).toEqual([
      { id: 'a3', amount_minor: 300, note: 'x', version: 7 },
    ]);
    expect((await findItem(db, { id: 'a1' })).rows[0]?.amount_minor).toBe(100);
  });

  it('leaves out an undefined value as Kysely does, and takes the names in any order', async () => {
    const { db } = database;
    await insertItem(db, { id: 'u1', amount_minor: 1, note: undefined });
    await insertItem(db, { note: 'ordered', amount_minor: 2, id: 'u2' });
    await insertItem(db, { id: 'u3', amount_minor: 3 });
    const rows = await db.selectFrom('item').selectAll().where('id', 'like', 'u%').orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.amount_minor, r.note])).toEqual([
      ['u1', 1, null],
      ['u2', 2, 'ordered'],
      ['u3', 3, null],
    ]);
  });

  it('runs inside a transaction, on the transaction: rolled back with it, or committed with it', async () => {
    const { db } = database;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertItem(trx, { id: 't1', amount_minor: 1, note: null });
        await bump(trx, { id: 't1', by: 1, note: 'in' });
        expect((await findItem(trx, { id: 't1' })).rows[0]?.version).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await findItem(db, { id: 't1' })).rows).toEqual([]);
    await db.transaction().execute(async (trx) => {
      await insertItem(trx, { id: 't1', amount_minor: 1, note: null });
      await bump(trx, { id: 't1', by: 1, note: 'in' });
    });
    expect((await findItem(db, { id: 't1' })).rows[0]).toMatchObject({ note: 'in', version: 1 });
  });

  it('works on every connection of the pool at once', async () => {
    const { db } = database;
    // On PostgreSQL three transactions open together hold three connections of the pool; SQLite
    // has one connection and runs them one after the other.
    const arrive = barrier(kind === 'postgres' ? 3 : 1);
    await Promise.all(
      [1, 2, 3].map((n) =>
        db.transaction().execute(async (trx) => {
          await insertItem(trx, { id: `p${n}`, amount_minor: n, note: null });
          await arrive();
          await bump(trx, { id: `p${n}`, by: n, note: null });
          expect((await findItem(trx, { id: `p${n}` })).rows[0]?.version).toBe(n);
        }),
      ),
    );
    const rows = await db
      .selectFrom('item')
      .select('version')
      .where('id', 'like', 'p%')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('answers the new columns after a migration adds one (select *)', async () => {
    const { db } = database;
    expect(Object.keys((await findItem(db, { id: 'a2' })).rows[0]!)).toEqual([
      'id',
      'amount_minor',
      'note',
      'version',
    ]);
    await migrateToLatest(db as Kysely<unknown>, 'preparedtest', {
      ...migrations,
      '0002_item_label': {
        up: async (m: Kysely<unknown>) => {
          await m.schema.alterTable('item').addColumn('label', 'text').execute();
        },
      },
    });
    // Every connection of the pool may hold the old statement: ask as many times as there are.
    for (let i = 0; i < 4; i++) {
      const row = (await findItem(db, { id: 'a2' })).rows[0] as Record<string, unknown>;
      expect(row).toEqual({ id: 'a2', amount_minor: 200, note: 'n2', version: 0, label: null });
    }
  });

  it('refuses a value used as a literal when it first compiles the query', async () => {
    const literal = preparedQuery((db: Db, v: { id: string }) =>
      db.selectFrom('item').select('id').where('id', '=', sql.lit(v.id)),
    );
    await expect(literal(database.db, { id: 'a1' })).rejects.toThrow('used as a literal');
  });

  it('stays correct beyond the shapes it keeps (name sets it has not compiled are built each time)', async () => {
    const { db } = database;
    // Every order of every set of names: 38 orders of 4 name sets, more than a query keeps.
    const sets = [
      ['id', 'amount_minor'],
      ['id', 'amount_minor', 'note'],
      ['id', 'amount_minor', 'version'],
      ['id', 'amount_minor', 'note', 'version'],
    ];
    let n = 0;
    for (const names of sets) {
      for (const order of permutations(names)) {
        n++;
        const given: Record<string, string | number> = {
          id: `s${n}`,
          amount_minor: n,
          note: `note${n}`,
          version: n,
        };
        const values = Object.fromEntries(order.map((name) => [name, given[name]]));
        const { rows } = await insertItem(db, values as { id: string; amount_minor: number });
        expect(rows).toEqual([{ id: `s${n}` }]);
        const row = (await findItem(db, { id: `s${n}` })).rows[0]!;
        expect(row).toMatchObject({
          id: `s${n}`,
          amount_minor: n,
          note: names.includes('note') ? `note${n}` : null,
          version: names.includes('version') ? n : 0,
        });
      }
    }
    expect(n).toBe(38);
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('named prepared statements on PostgreSQL', () => {
  let testDb: TestDatabase;
  let database: Database<Schema>;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    database = openDatabase<Schema>({ url: testDb.url, poolSize: 1 });
    await migrateToLatest(database.db as Kysely<unknown>, 'preparedtest', migrations);
  });

  afterAll(async () => {
    await database?.destroy();
    await testDb?.drop();
  });

  const prepared = async (db: Kysely<Schema>) => {
    const { rows } = await sql<{
      statement: string;
    }>`select statement from pg_prepared_statements where name like 'paystream_%'`.execute(db);
    return rows.map((r) => r.statement);
  };

  it('prepares the prepared queries once per connection, and nothing else', async () => {
    const { db } = database;
    await db.selectFrom('item').select('id').where('id', '=', 'one-off').execute();
    await findItem(db, { id: 'x' });
    await findItem(db, { id: 'y' });
    // One connection (pool of 1): the statement lives in the session this query runs in too.
    const statements = await prepared(db);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('from "item"');
  });

  it('recovers inside a transaction from the next statement on when a migration changes the columns', async () => {
    const { db } = database;
    await findItem(db, { id: 'x' });
    await sql`alter table item add column extra text`.execute(db);
    // The transaction meets the stale statement first; the next one prepares it again.
    await expect(
      db.transaction().execute(async (trx) => {
        await findItem(trx, { id: 'x' });
      }),
    ).rejects.toThrow('cached plan');
    await insertItem(db, { id: 'x', amount_minor: 1, note: null });
    await db.transaction().execute(async (trx) => {
      expect((await findItem(trx, { id: 'x' })).rows[0]).toMatchObject({ id: 'x', extra: null });
    });
  });
});
