// Retention of the bus's tables on both engines: sent outbox rows and processed ids older than
// their retention go, in batches; newer ones, and unsent outbox rows however old, stay. Pruning
// never waits for the relay (its advisory lock, its rows) and several pruners share the work.
import { type Database, migrateToLatest, openDatabase, sql } from '@paystream/db';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '@paystream/db/testing';
import { METRIC_TABLE_PRUNED_ROWS_TOTAL, METRIC_TABLE_ROWS } from '@paystream/telemetry';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTablePruner,
  OUTBOX_TABLE,
  outboxLockKey,
  outboxMigrations,
  PROCESSED_EVENTS_TABLE,
  processedEventIds,
  processedIdsMigrations,
  sentOutboxRows,
} from '../src/index.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const HOUR = 3_600_000;
const iso = (agoMs: number) => new Date(NOW - agoMs).toISOString();

describe.each(TEST_DATABASE_KINDS)('retention on %s', (kind) => {
  let testDb: TestDatabase;
  let database: Database;
  beforeEach(async () => {
    testDb = await createTestDatabase(kind);
    database = openDatabase({ url: testDb.url });
    await migrateToLatest(database.db, 'outbox', outboxMigrations);
    await migrateToLatest(database.db, 'bus_dedupe', processedIdsMigrations);
  });
  afterEach(async () => {
    await database.destroy();
    await testDb.drop();
  });

  // biome-ignore lint/suspicious/noExplicitAny: the bus's tables, untyped here as in the bus.
  const db = () => database.db as any;
  const outboxRow = (id: string, createdAgo: number, sentAgo: number | null) => ({
    event_id: id,
    type: 'payment.created',
    subject: 'o-1',
    payload: '{}',
    created_at: iso(createdAgo),
    sent_at: sentAgo === null ? null : iso(sentAgo),
  });
  const ids = async (table: string, column: string) =>
    ((await db().selectFrom(table).select(column).orderBy(column).execute()) as Record<string, string>[]).map(
      (r) => r[column],
    );

  async function seed() {
    await db()
      .insertInto(OUTBOX_TABLE)
      .values([
        // Sent more than an hour ago: pruned (five of them, so a batch of two takes three statements).
        ...['s1', 's2', 's3', 's4', 's5'].map((id, i) => outboxRow(id, 3 * HOUR, HOUR + 1 + i)),
        // Sent within the hour: kept.
        outboxRow('s6', 2 * HOUR, HOUR - 1),
        outboxRow('s7', 60_000, 1_000),
        // Never sent, however old: kept.
        outboxRow('u1', 30 * 24 * HOUR, null),
        outboxRow('u2', 1_000, null),
      ])
      .execute();
    await db()
      .insertInto(PROCESSED_EVENTS_TABLE)
      .values([
        { group_name: 'paystream.plugin.accounting', event_id: 'old-1', processed_at: iso(9 * 24 * HOUR) },
        { group_name: 'paystream.plugin.alerting', event_id: 'old-2', processed_at: iso(8 * 24 * HOUR + 1) },
        {
          group_name: 'paystream.plugin.accounting',
          event_id: 'new-1',
          processed_at: iso(8 * 24 * HOUR - 1),
        },
        { group_name: 'paystream.plugin.alerting', event_id: 'new-2', processed_at: iso(0) },
      ])
      .execute();
  }

  const tables = [sentOutboxRows(OUTBOX_TABLE, HOUR), processedEventIds(8 * 24 * HOUR)];

  it('deletes only rows older than the retention, in batches, and gauges what is left', async () => {
    await seed();
    const registry = new Registry();
    const pruner = createTablePruner({
      db: database.db,
      tables,
      batchSize: 2,
      pauseMs: 1,
      registry,
      now: () => NOW,
    });
    expect(await pruner.prune()).toEqual({ [OUTBOX_TABLE]: 5, [PROCESSED_EVENTS_TABLE]: 2 });
    expect(await ids(OUTBOX_TABLE, 'event_id')).toEqual(['s6', 's7', 'u1', 'u2']);
    expect(await ids(PROCESSED_EVENTS_TABLE, 'event_id')).toEqual(['new-1', 'new-2']);

    const rows = (await registry.getSingleMetric(METRIC_TABLE_ROWS)!.get()).values;
    expect(rows.map((v) => [v.labels.table, v.value])).toEqual([
      [OUTBOX_TABLE, 4],
      [PROCESSED_EVENTS_TABLE, 2],
    ]);
    const pruned = (await registry.getSingleMetric(METRIC_TABLE_PRUNED_ROWS_TOTAL)!.get()).values;
    expect(pruned.map((v) => [v.labels.table, v.value])).toEqual([
      [OUTBOX_TABLE, 5],
      [PROCESSED_EVENTS_TABLE, 2],
    ]);

    // Nothing more is old: a second pass deletes nothing.
    expect(await pruner.prune()).toEqual({ [OUTBOX_TABLE]: 0, [PROCESSED_EVENTS_TABLE]: 0 });
    expect(await ids(OUTBOX_TABLE, 'event_id')).toEqual(['s6', 's7', 'u1', 'u2']);
  });

  it('runs in the background from start() until stop()', async () => {
    await seed();
    const registry = new Registry();
    const pruner = createTablePruner({ db: database.db, tables, intervalMs: 10, registry, now: () => NOW });
    pruner.start();
    try {
      for (let i = 0; i < 500 && (await ids(PROCESSED_EVENTS_TABLE, 'event_id')).length > 2; i++)
        await new Promise((r) => setTimeout(r, 10));
    } finally {
      await pruner.stop();
    }
    expect(await ids(OUTBOX_TABLE, 'event_id')).toEqual(['s6', 's7', 'u1', 'u2']);
    expect(await ids(PROCESSED_EVENTS_TABLE, 'event_id')).toEqual(['new-1', 'new-2']);
  });

  it('lets several pruners (processes) work on the same tables: each row is deleted once, nothing fails', async () => {
    const old = Array.from({ length: 250 }, (_, i) => outboxRow(`old-${i}`, 3 * HOUR, 2 * HOUR));
    for (let i = 0; i < old.length; i += 50)
      await db()
        .insertInto(OUTBOX_TABLE)
        .values(old.slice(i, i + 50))
        .execute();
    await db()
      .insertInto(OUTBOX_TABLE)
      .values(outboxRow('kept', HOUR, 1_000))
      .execute();
    const second = openDatabase({ url: testDb.url });
    try {
      const make = (d: Database) =>
        createTablePruner({ db: d.db, tables: [tables[0]!], batchSize: 10, pauseMs: 0, now: () => NOW });
      const results = await Promise.all([
        make(database).prune(),
        make(second).prune(),
        make(database).prune(),
      ]);
      expect(results.reduce((sum, r) => sum + r[OUTBOX_TABLE]!, 0)).toBe(250);
      expect(await ids(OUTBOX_TABLE, 'event_id')).toEqual(['kept']);
    } finally {
      await second.destroy();
    }
  });

  // SQLite has one writer and no advisory locks: there the relay's mark and a prune batch take turns.
  if (kind === 'postgres')
    it('never waits for the relay: its advisory lock and its unsent rows held by another session', async () => {
      await seed();
      const relay = openDatabase({ url: testDb.url });
      try {
        // What a relay holds mid-batch: the table's advisory lock and the rows it is marking sent.
        const [namespace, key] = outboxLockKey(OUTBOX_TABLE);
        await relay.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${namespace}::int4, ${key}::int4)`.execute(trx);
          await sql`select position from ${sql.table(OUTBOX_TABLE)} where sent_at is null for update`.execute(
            trx,
          );
          const pruner = createTablePruner({ db: database.db, tables: [tables[0]!], now: () => NOW });
          expect(await pruner.prune()).toEqual({ [OUTBOX_TABLE]: 5 });
        });
      } finally {
        await relay.destroy();
      }
      expect(await ids(OUTBOX_TABLE, 'event_id')).toEqual(['s6', 's7', 'u1', 'u2']);
    });
});
