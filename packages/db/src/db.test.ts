import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import { type Database, openDatabase, redactUrl } from './open.js';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from './testing.js';

interface Schema {
  ledger: { id: string; amount_minor: number };
}

const migrations = {
  '0001_ledger': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

describe.each(TEST_DATABASE_KINDS)('database on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database<Schema>;

  beforeAll(async () => {
    testDb = await createTestDatabase(kind);
    database = openDatabase<Schema>({ url: testDb.url });
    await migrateToLatest(database.db as Kysely<unknown>, 'dbtest', migrations);
  });

  afterAll(async () => {
    await database?.destroy();
    await testDb?.drop();
  });

  it('opens the engine the URL names', () => {
    expect(database.kind).toBe(kind);
  });

  it('runs migrations once, however often it is asked', async () => {
    await migrateToLatest(database.db as Kysely<unknown>, 'dbtest', migrations);
    const rows = await database.db.selectFrom('ledger').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('returns big integer amounts as exact numbers', async () => {
    await database.db.insertInto('ledger').values({ id: 'a', amount_minor: 9_007_199_254_740_991 }).execute();
    const row = await database.db
      .selectFrom('ledger')
      .selectAll()
      .where('id', '=', 'a')
      .executeTakeFirstOrThrow();
    expect(row.amount_minor).toBe(9_007_199_254_740_991);
    expect(typeof row.amount_minor).toBe('number');
  });

  it('answers repeated and evicted query shapes correctly (SQLite reuses prepared statements)', async () => {
    for (let i = 0; i < 300; i += 1) {
      await database.db
        .insertInto('ledger')
        .values({ id: `s-${i}`, amount_minor: i })
        .execute();
    }
    // More distinct SQL texts than the statement cache holds, each run twice.
    for (const round of [1, 2]) {
      for (let n = 1; n <= 300; n += 1) {
        const rows = await database.db
          .selectFrom('ledger')
          .select('amount_minor')
          .where('id', 'like', 's-%')
          // A literal makes each n its own SQL text, so the cache fills up and evicts.
          .where(sql.lit(n), '=', sql.lit(n))
          .orderBy('amount_minor')
          .limit(n)
          .offset(n % 7)
          .execute();
        expect(rows.length, `round ${round}, limit ${n}`).toBe(Math.min(n, 300 - (n % 7)));
      }
    }
    const total = await database.db
      .selectFrom('ledger')
      .select((eb) => eb.fn.sum<number | string>('amount_minor').as('sum'))
      .where('id', 'like', 's-%')
      .executeTakeFirstOrThrow();
    expect(Number(total.sum)).toBe((299 * 300) / 2);
  });

  it('rolls back a failed transaction completely', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('ledger').values({ id: 'b', amount_minor: 1 }).execute();
        await trx.insertInto('ledger').values({ id: 'b', amount_minor: 2 }).execute();
      }),
    ).rejects.toThrow();
    const rows = await database.db.selectFrom('ledger').selectAll().where('id', '=', 'b').execute();
    expect(rows).toEqual([]);
  });
});

describe('redactUrl', () => {
  it('hides the password of a connection URL', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/pay')).toBe('postgres://app:***@db:5432/pay');
    expect(redactUrl('postgres://app@db/pay')).toBe('postgres://app@db/pay');
  });

  it('refuses a scheme it does not know', () => {
    expect(() => openDatabase({ url: 'mysql://root@localhost/x' })).toThrow(
      'unsupported scheme: mysql://root@localhost/x',
    );
  });
});

describe('a PostgreSQL connection lost while idle', () => {
  it('is reported and replaced, not an uncaught error that ends the process', async () => {
    const testDb = await createTestDatabase('postgres');
    const lost: Error[] = [];
    const database = openDatabase({ url: testDb.url, onIdleConnectionError: (err) => lost.push(err) });
    const admin = openDatabase({ url: testDb.url });
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(admin.db);
      for (let i = 0; i < 100 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lost[0]?.message).toContain('terminating connection');
      const again = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(again.rows[0]!.one).toBe(1);
    } finally {
      await admin.destroy();
      await database.destroy();
      await testDb.drop();
    }
  });
});

describe('a PostgreSQL connection lost in the middle of a transaction', () => {
  it('fails that transaction, and the process and the pool go on', async () => {
    const testDb = await createTestDatabase('postgres');
    const database = openDatabase({ url: testDb.url, onIdleConnectionError: () => undefined });
    const admin = openDatabase({ url: testDb.url });
    try {
      const failed = database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(admin.db);
        await sql`select pg_sleep(0.2)`.execute(trx);
      });
      // Which error it is depends on when the socket closes (the server's FATAL, a reset, or the
      // client already marked unusable); that it fails, and crashes nothing, does not.
      await expect(failed).rejects.toBeInstanceOf(Error);
      const again = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(again.rows[0]!.one).toBe(1);
    } finally {
      await admin.destroy();
      await database.destroy();
      await testDb.drop();
    }
  });
});
