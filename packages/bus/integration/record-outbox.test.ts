// The outbox relay on a table of Kafka records (the plugin host's kind): rows go out in position
// order, a topic's consecutive rows in one send; several relays on one PostgreSQL database send
// each row once, in order; and the relays of two tables hold different locks, so neither waits for
// the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, migrateToLatest, openDatabase, sql } from '@paystream/db';
import { createTestDatabase, TEST_DATABASE_KINDS } from '@paystream/db/testing';
import { METRIC_OUTBOX_PENDING } from '@paystream/telemetry';
import { PostgresAdapter } from 'kysely';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  createEmbeddedBus,
  createOutboxRelay,
  createRecordOutboxRelay,
  enqueueEvents,
  OUTBOX_TABLE,
  outboxLockKey,
  outboxMigrations,
  outboxRecordColumns,
  type RawRecord,
} from '../src/index.js';
import { makeEvents } from '../src/testing/index.js';

const TABLE = 'test_record_outbox';

async function createRecordTable(db: Kysely<unknown>) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable(TABLE)
    .addColumn('position', pg ? 'bigserial' : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('topic', 'varchar(200)', (c) => c.notNull())
    .addColumn('record_key', 'varchar(200)')
    .addColumn('record_value', 'text')
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'varchar(40)')
    .execute();
}

/** Rows `k0..k{n-1}` in position order; the topic of each is `topics[i]`. */
async function enqueueRecords(db: Kysely<unknown>, topics: readonly string[], from = 0) {
  const rows = topics.map((topic, i) =>
    outboxRecordColumns(topic, {
      key: `k${from + i}`,
      value: JSON.stringify({ n: from + i }),
      headers: { ce_id: `id-${from + i}` },
    }),
  );
  for (let i = 0; i < rows.length; i += 100)
    await db
      .insertInto(TABLE as never)
      .values(rows.slice(i, i + 100) as never)
      .execute();
}

/** A send that records what it was given, optionally taking its time like a broker round trip. */
function recordingSend(delayMs = 0) {
  const sends: { topic: string; records: RawRecord[] }[] = [];
  const send = async (topic: string, records: readonly RawRecord[]) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    sends.push({ topic, records: [...records] });
  };
  return { sends, send, keys: () => sends.flatMap((s) => s.records.map((r) => r.key)) };
}

describe.each(TEST_DATABASE_KINDS)('record outbox on %s', (kind) => {
  it('sends rows in position order, runs of one topic together, and keeps its pending gauge', async () => {
    const testDb = await createTestDatabase(kind);
    const { db, destroy } = openDatabase({ url: testDb.url });
    try {
      await createRecordTable(db);
      const topics = ['a', 'a', 'b', 'a', 'b', 'b', 'b', 'a', 'a', 'a'];
      await enqueueRecords(db, topics);
      const registry = new Registry();
      const out = recordingSend();
      const relay = createRecordOutboxRelay({ db, table: TABLE, send: out.send, batchSize: 4, registry });
      const gauge = async () => (await registry.getSingleMetric(METRIC_OUTBOX_PENDING)!.get()).values;
      expect(await relay.pending()).toBe(10);
      expect(await gauge()).toEqual([{ labels: { table: TABLE }, value: 10 }]);

      expect(await relay.flush()).toBe(10);
      // Batches of 4 rows; within a batch, a topic's consecutive rows go in one send.
      expect(out.sends.map((s) => [s.topic, s.records.map((r) => r.key)])).toEqual([
        ['a', ['k0', 'k1']],
        ['b', ['k2']],
        ['a', ['k3']],
        ['b', ['k4', 'k5', 'k6']],
        ['a', ['k7']],
        ['a', ['k8', 'k9']],
      ]);
      expect(out.sends[0]!.records[0]).toEqual({ key: 'k0', value: '{"n":0}', headers: { ce_id: 'id-0' } });
      expect(await relay.flush()).toBe(0);
      expect(await gauge()).toEqual([{ labels: { table: TABLE }, value: 0 }]);
    } finally {
      await destroy();
      await testDb.drop();
    }
  });
});

describe('record outbox with several relays on postgres', () => {
  it('sends every row once and in order when relays of several hosts flush at the same time', async () => {
    const testDb = await createTestDatabase('postgres');
    const { db, destroy } = openDatabase({ url: testDb.url });
    try {
      await createRecordTable(db);
      await enqueueRecords(
        db,
        Array.from({ length: 300 }, (_, i) => (i % 7 < 3 ? 'ledger' : 'other')),
      );
      // One send seen by all relays, as one topic's log is seen by its consumers; each relay a
      // host of its own, with small batches and a broker round trip of a few milliseconds.
      const out = recordingSend(3);
      const relays = [1, 2, 3].map(() =>
        createRecordOutboxRelay({ db, table: TABLE, send: out.send, batchSize: 7 }),
      );
      while ((await relays[0]!.pending()) > 0) await Promise.all(relays.map((r) => r.flush()));
      expect(out.keys()).toEqual(Array.from({ length: 300 }, (_, i) => `k${i}`));
    } finally {
      await destroy();
      await testDb.drop();
    }
  });

  it("holds a lock per table: one table's relay publishing does not stop another table's", async () => {
    const testDb = await createTestDatabase('postgres');
    const { db, destroy } = openDatabase({ url: testDb.url });
    const dir = mkdtempSync(join(tmpdir(), 'paystream-outbox-'));
    const bus = await createEmbeddedBus({ file: join(dir, 'bus.sqlite'), pollIntervalMs: 20 });
    try {
      await migrateToLatest(db, 'outbox', outboxMigrations);
      await createRecordTable(db);
      await enqueueEvents(db, makeEvents({ keys: 2, perKey: 3 }));
      await enqueueRecords(db, ['ledger', 'ledger']);
      const out = recordingSend();
      const records = createRecordOutboxRelay({ db, table: TABLE, send: out.send });
      const events = createOutboxRelay({ db, bus });
      const [namespace, key] = outboxLockKey(OUTBOX_TABLE);
      // Another process's relay of the events outbox, in the middle of a batch.
      await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${namespace}::int4, ${key}::int4)`.execute(trx);
        expect(await events.flush()).toBe(0);
        expect(await records.flush()).toBe(2);
      });
      expect(out.keys()).toEqual(['k0', 'k1']);
      // The events relay's turn once that batch committed.
      expect(await events.flush()).toBe(6);
    } finally {
      await bus.close();
      await destroy();
      await testDb.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
