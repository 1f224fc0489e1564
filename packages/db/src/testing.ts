import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A database made for one test run, and how to remove it. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** The PostgreSQL server tests use: PAYSTREAM_TEST_PG_URL, else the local trust-auth server. */
export function testPostgresAdminUrl(): string {
  return process.env.PAYSTREAM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * Creates a fresh PostgreSQL database for one test file. CI shares the server with developers,
 * so every run gets a unique name and drops it afterwards.
 */
export async function createPostgresTestDatabase(prefix = 'paystream_test'): Promise<TestDatabase> {
  const adminUrl = testPostgresAdminUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Creates a SQLite file in a fresh temporary folder. */
export function createSqliteTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-sqlite-'));
  return {
    url: `sqlite:${join(dir, 'test.sqlite')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export { type OutageProxy, startOutageProxy } from './outage-proxy.js';

/** Both engines, for suites that must hold on SQLite and PostgreSQL alike. */
export const TEST_DATABASE_KINDS = ['sqlite', 'postgres'] as const;

/** Creates a test database of the given kind. */
export function createTestDatabase(kind: (typeof TEST_DATABASE_KINDS)[number]): Promise<TestDatabase> {
  return kind === 'postgres' ? createPostgresTestDatabase() : Promise.resolve(createSqliteTestDatabase());
}
