import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact, writeOne } from './group-commit.js';
import { migrateToLatest } from './migrate.js';
import { type Database, openDatabase } from './open.js';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from './testing.js';

interface Schema {
  entry: { id: string; batch: string };
  parent: { id: string };
  child: { id: string; parent_id: string };
}

const migrations = {
  '0001_entries': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('entry')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('batch', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('parent')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute();
      // Checked at commit, not per statement: the one way a commit itself can refuse.
      await sql`create table child (id text primary key, parent_id text not null references parent (id) deferrable initially deferred)`.execute(
        db,
      );
    },
  },
};

/**
 * A migrated database for the suite, opened once (`database.db`) and once more as a second
 * connection that sees only what was committed (`ids`: a batch's entry ids as it sees them).
 */
function migratedDatabase(kind: (typeof TEST_DATABASE_KINDS)[number]) {
  let testDb: TestDatabase | undefined;
  let opened: Database<Schema> | undefined;
  let other: Database<Schema> | undefined;
  // Filled in by beforeAll: the suites read `database.db` inside their tests.
  const database = {} as { db: Kysely<Schema> };
  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    opened = openDatabase<Schema>({ url: testDb.url });
    database.db = opened.db;
    await migrateToLatest(database.db as Kysely<unknown>, 'grouptest', migrations);
    other = openDatabase<Schema>({ url: testDb.url });
  });
  afterAll(async () => {
    await other?.destroy();
    await opened?.destroy();
    await testDb?.drop();
  });
  const ids = async (batch: string) =>
    (await other!.db.selectFrom('entry').select('id').where('batch', '=', batch).orderBy('id').execute()).map(
      (r) => r.id,
    );
  return { database, ids };
}

describe.each(TEST_DATABASE_KINDS)('transact and writeOne on %s', (kind) => {
  const { database, ids } = migratedDatabase(kind);

  it('commits each transaction whole, and rolls back a failing one alone, among many at once', async () => {
    const { db } = database;
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((name) =>
        transact(db, async (trx) => {
          await trx
            .insertInto('entry')
            .values({ id: `${name}1`, batch: 'whole' })
            .execute();
          await trx
            .insertInto('entry')
            .values({ id: `${name}2`, batch: 'whole' })
            .execute();
          if (name === 'b') throw new Error('b changed its mind');
          return name;
        }),
      ),
    );
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'a',
      'b changed its mind',
      'c',
      'd',
    ]);
    expect(await ids('whole')).toEqual(['a1', 'a2', 'c1', 'c2', 'd1', 'd2']);
  });

  it('settles a caller only once its writes are committed (another connection sees them)', async () => {
    const { db } = database;
    const seen = await Promise.all(
      [1, 2, 3].map(async (n) => {
        await transact(db, (trx) =>
          trx
            .insertInto('entry')
            .values({ id: `v${n}`, batch: 'visible' })
            .execute(),
        );
        return (await ids('visible')).includes(`v${n}`);
      }),
    );
    expect(seen).toEqual([true, true, true]);
  });

  it('writeOne answers its statement, and its failure is its own', async () => {
    const { db } = database;
    await writeOne(db, (d) => d.insertInto('entry').values({ id: 'w1', batch: 'one' }).execute());
    const results = await Promise.allSettled([
      writeOne(db, (d) => d.insertInto('entry').values({ id: 'w1', batch: 'one' }).execute()),
      writeOne(db, (d) =>
        d.insertInto('entry').values({ id: 'w2', batch: 'one' }).returning('id').executeTakeFirstOrThrow(),
      ),
    ]);
    expect(results[0]!.status).toBe('rejected');
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/unique|UNIQUE|duplicate/);
    expect(results[1]).toEqual({ status: 'fulfilled', value: { id: 'w2' } });
    expect(await ids('one')).toEqual(['w1', 'w2']);
  });

  it('undoes a refused statement alone, between transactions of the same group that commit', async () => {
    const { db } = database;
    await writeOne(db, (d) => d.insertInto('entry').values({ id: 'x1', batch: 'seed' }).execute());
    const insert = (d: Kysely<Schema>, id: string) =>
      d.insertInto('entry').values({ id, batch: 'mixed' }).execute();
    const results = await Promise.allSettled([
      transact(db, async (trx) => {
        await insert(trx, 'g1');
        await insert(trx, 'g2');
      }),
      writeOne(db, (d) => d.insertInto('entry').values({ id: 'x1', batch: 'mixed' }).execute()),
      writeOne(db, (d) => insert(d, 'g3')),
      writeOne(db, () => Promise.reject(new Error('refused before it ran'))),
      transact(db, (trx) => insert(trx, 'g4')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/unique|UNIQUE|duplicate/);
    expect(await ids('mixed')).toEqual(['g1', 'g2', 'g3', 'g4']);
  });

  it('completes every one of more transactions than a group holds', async () => {
    const { db } = database;
    const n = 150;
    const done = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        transact(db, async (trx) => {
          await trx
            .insertInto('entry')
            .values({ id: `m${String(i).padStart(3, '0')}`, batch: 'many' })
            .execute();
          return i;
        }),
      ),
    );
    expect(done).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(await ids('many')).toHaveLength(n);
  });
});

// What sharing a commit means, where it happens.
describe('a transaction group on SQLite', () => {
  const { database, ids } = migratedDatabase('sqlite');

  it('runs a group in the order asked, each seeing what the ones before it wrote, none visible before the commit', async () => {
    const { db } = database;
    const order: string[] = [];
    const visibleElsewhere: string[][] = [];
    await Promise.all(
      ['g1', 'g2', 'g3'].map((id) =>
        transact(db, async (trx) => {
          order.push(id);
          const mine = await trx.selectFrom('entry').select('id').where('batch', '=', 'group').execute();
          expect(mine.map((r) => r.id)).toEqual(order.slice(0, -1));
          await trx.insertInto('entry').values({ id, batch: 'group' }).execute();
          visibleElsewhere.push(await ids('group'));
        }),
      ),
    );
    expect(order).toEqual(['g1', 'g2', 'g3']);
    // One commit for the three: until it, another connection saw none of them.
    expect(visibleElsewhere).toEqual([[], [], []]);
    expect(await ids('group')).toEqual(['g1', 'g2', 'g3']);
  });

  it('fails every member when the shared commit fails, and commits none of them', async () => {
    const { db } = database;
    const results = await Promise.allSettled([
      transact(db, (trx) => trx.insertInto('entry').values({ id: 'f1', batch: 'failed' }).execute()),
      // Deferred: accepted by the statement, refused by COMMIT.
      transact(db, (trx) => trx.insertInto('child').values({ id: 'orphan', parent_id: 'none' }).execute()),
      transact(db, (trx) => trx.insertInto('entry').values({ id: 'f3', batch: 'failed' }).execute()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('FOREIGN KEY');
    expect(await ids('failed')).toEqual([]);
    // The next group is not affected.
    await transact(db, (trx) => trx.insertInto('entry').values({ id: 'f4', batch: 'failed' }).execute());
    expect(await ids('failed')).toEqual(['f4']);
  });
});
