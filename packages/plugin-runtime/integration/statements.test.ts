// A batch's reads and writes sent together (readAll, writeAll) on both databases: each read answers
// its own rows, the writes all take effect or none does, and a statement that would hold more
// bound parameters than PostgreSQL takes is cut in two instead of failing.
import { type Generated, type Kysely, openDatabase } from '@paystream/db';
import { createTestDatabase, type TestDatabase } from '@paystream/db/testing';
import type { BatchStatement } from '@paystream/plugin-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll, writeAll } from '../src/statements.js';

interface Schema {
  st_parent: { id: string; n: number };
  st_child: { parent_id: string; amount: number };
  st_log: { seq: Generated<number>; name: string };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function open(kind: 'sqlite' | 'postgres'): Promise<Kysely<Schema>> {
  const testDb: TestDatabase = await createTestDatabase(kind);
  const database = openDatabase<Schema>({ url: testDb.url });
  cleanup = async () => {
    await database.destroy();
    await testDb.drop();
  };
  const db = database.db;
  await db.schema
    .createTable('st_parent')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('st_child')
    .addColumn('parent_id', 'varchar(64)', (c) => c.notNull().references('st_parent.id'))
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('st_log')
    .addColumn('seq', kind === 'postgres' ? 'serial' : 'integer', (c) => c.primaryKey())
    .addColumn('name', 'varchar(8)', (c) => c.notNull())
    .execute();
  return db;
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (kind) => {
  it('answers each read by its name and writes parents with their children in one go', async () => {
    const db = await open(kind);
    await db.transaction().execute(async (trx) => {
      // The child first: its foreign key is checked once the statement is done.
      await writeAll(trx, [
        ...(kind === 'postgres'
          ? [trx.insertInto('st_child').values({ parent_id: 'p1', amount: 9_007_199_254_740_991 })]
          : []),
        trx.insertInto('st_parent').values([
          { id: 'p1', n: 1 },
          { id: 'p2', n: 2 },
        ]),
        ...(kind === 'sqlite'
          ? [trx.insertInto('st_child').values({ parent_id: 'p1', amount: 9_007_199_254_740_991 })]
          : []),
      ]);
    });
    const rows = await db.transaction().execute((trx) =>
      readAll(
        trx,
        new Map<string, BatchStatement>([
          ['parents', trx.selectFrom('st_parent').select(['id', 'n']).orderBy('id')],
          ['children', trx.selectFrom('st_child').select(['parent_id', 'amount'])],
          ['none', trx.selectFrom('st_parent').select('id').where('id', '=', 'p9')],
        ]),
      ),
    );
    expect(Object.fromEntries(rows)).toEqual({
      parents: [
        { id: 'p1', n: 1 },
        { id: 'p2', n: 2 },
      ],
      children: [{ parent_id: 'p1', amount: 9_007_199_254_740_991 }],
      none: [],
    });
  });

  it('runs the writes in the order given', async () => {
    const db = await open(kind);
    await db.transaction().execute((trx) =>
      writeAll(
        trx,
        ['a', 'b', 'c'].map((name) => trx.insertInto('st_log').values({ name })),
      ),
    );
    const rows = await db.selectFrom('st_log').select('name').orderBy('seq').execute();
    expect(rows.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('checks each value against its column, as a parameter would be', async () => {
    const db = await open(kind);
    const write = (id: string) =>
      db.transaction().execute((trx) =>
        writeAll(trx, [
          trx.insertInto('st_parent').values([
            { id: 'p1', n: 1 },
            { id, n: 2 },
          ]),
        ]),
      );
    // Too long for varchar(64): refused, never cut short.
    if (kind === 'postgres') await expect(write('x'.repeat(65))).rejects.toThrow(/too long/);
    await write('p2');
    expect(await db.selectFrom('st_parent').selectAll().orderBy('id').execute()).toEqual([
      { id: 'p1', n: 1 },
      { id: 'p2', n: 2 },
    ]);
  });

  it('leaves nothing behind when one write fails', async () => {
    const db = await open(kind);
    await expect(
      db
        .transaction()
        .execute((trx) =>
          writeAll(trx, [
            trx.insertInto('st_parent').values({ id: 'p1', n: 1 }),
            trx.insertInto('st_child').values({ parent_id: 'nobody', amount: 1 }),
          ]),
        ),
    ).rejects.toThrow();
    expect(await db.selectFrom('st_parent').selectAll().execute()).toEqual([]);
  });

  it('writes and reads more rows than one PostgreSQL statement may bind', async () => {
    const db = await open(kind);
    // 3 inserts of 24,000 parameters each: 72,000 together, over PostgreSQL's 65,535.
    const ids = Array.from({ length: 36_000 }, (_, i) => `p${i}`);
    const slices = [0, 1, 2].map((k) => ids.slice(k * 12_000, (k + 1) * 12_000));
    await db.transaction().execute((trx) =>
      writeAll(
        trx,
        slices.map((slice) => trx.insertInto('st_parent').values(slice.map((id) => ({ id, n: 1 })))),
      ),
    );
    const rows = await db
      .transaction()
      .execute((trx) =>
        readAll(
          trx,
          new Map(
            [...slices, ...slices, ...slices, ...slices].map(
              (slice, i) =>
                [`r${i}`, trx.selectFrom('st_parent').select('id').where('id', 'in', slice)] as const,
            ),
          ),
        ),
      );
    expect([...rows.values()].reduce((n, r) => n + r.length, 0)).toBe(4 * ids.length);
  });
});
