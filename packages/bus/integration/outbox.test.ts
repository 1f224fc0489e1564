import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '@paystream/db';
import { createTestDatabase, TEST_DATABASE_KINDS } from '@paystream/db/testing';
import { METRIC_OUTBOX_PENDING } from '@paystream/telemetry';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createEmbeddedBus, createOutboxRelay, enqueueEvents, outboxMigrations } from '../src/index.js';
import { expectedSequences, GapChecker, makeEvents, runId, waitFor } from '../src/testing/index.js';

describe.each(TEST_DATABASE_KINDS)('transactional outbox on %s', (kind) => {
  it('stores events with the state change, publishes them in order, and reports the backlog', async () => {
    const testDb = await createTestDatabase(kind);
    const { db, destroy } = openDatabase({ url: testDb.url });
    const dir = mkdtempSync(join(tmpdir(), 'paystream-outbox-'));
    const registry = new Registry();
    const bus = await createEmbeddedBus({ file: join(dir, 'bus.sqlite'), pollIntervalMs: 20, registry });
    try {
      await migrateToLatest(db, 'outbox', outboxMigrations);
      await db.schema
        .createTable('orders')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .execute();
      const prefix = runId();
      const events = makeEvents({ prefix, keys: 5, perKey: 30 });
      // A rolled-back transaction leaves neither the state change nor its events.
      await expect(
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('orders' as never)
            .values({ id: 'rolled-back' } as never)
            .execute();
          await enqueueEvents(trx, events.slice(0, 3));
          throw new Error('upstream said no');
        }),
      ).rejects.toThrow('upstream said no');
      for (let i = 0; i < events.length; i += 10) {
        await db.transaction().execute(async (trx) => {
          await trx
            .insertInto('orders' as never)
            .values({ id: `o-${i}` } as never)
            .execute();
          await enqueueEvents(trx, events.slice(i, i + 10));
        });
      }
      const relay = createOutboxRelay({ db, bus, batchSize: 40, registry });
      expect(await relay.pending()).toBe(150);
      const gauge = async () =>
        (await registry.getSingleMetric(METRIC_OUTBOX_PENDING)!.get()).values[0]!.value;
      expect(await gauge()).toBe(150);

      const checker = new GapChecker();
      await bus.subscribe(`g-${prefix}`, async (e) => {
        checker.record(e);
      });
      expect(await relay.flush()).toBe(150);
      expect(await relay.flush()).toBe(0);
      expect(await relay.pending()).toBe(0);
      expect(await gauge()).toBe(0);
      await waitFor('all events', () => checker.unique === 150);
      const report = checker.report(expectedSequences(prefix, 5, 30));
      expect(report).toMatchObject({ unique: 150, duplicates: 0, gaps: [], outOfOrder: [] });

      // The running relay picks up new rows by itself.
      relay.start();
      const more = makeEvents({ prefix: `${prefix}b`, keys: 1, perKey: 3 });
      await enqueueEvents(db, more);
      await waitFor('the relay to publish new rows', () => checker.unique === 153);
      await relay.stop();
    } finally {
      await bus.close();
      await destroy();
      await testDb.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid event inside the transaction', async () => {
    const testDb = await createTestDatabase(kind);
    const { db, destroy } = openDatabase({ url: testDb.url });
    try {
      await migrateToLatest(db, 'outbox', outboxMigrations);
      const [e] = makeEvents({ keys: 1, perKey: 1 });
      await expect(enqueueEvents(db, [{ ...e!, data: { ...e!.data, amountMinor: -1 } }])).rejects.toThrow(
        /data\.amountMinor/,
      );
    } finally {
      await destroy();
      await testDb.drop();
    }
  });
});

describe('transactional outbox with several relays on postgres', () => {
  it('publishes every row once when gateway instances flush the same database at the same time', async () => {
    const testDb = await createTestDatabase('postgres');
    const { db, destroy } = openDatabase({ url: testDb.url });
    const dir = mkdtempSync(join(tmpdir(), 'paystream-outbox-'));
    const bus = await createEmbeddedBus({ file: join(dir, 'bus.sqlite'), pollIntervalMs: 20 });
    try {
      await migrateToLatest(db, 'outbox', outboxMigrations);
      const prefix = runId();
      await enqueueEvents(db, makeEvents({ prefix, keys: 6, perKey: 50 }));
      const checker = new GapChecker();
      await bus.subscribe(`g-${prefix}`, async (e) => {
        checker.record(e);
      });
      // Small batches and three relays flushing at once: without the lock they would publish the
      // same rows two or three times.
      const relays = [1, 2, 3].map(() => createOutboxRelay({ db, bus, batchSize: 7 }));
      while ((await relays[0]!.pending()) > 0) {
        await Promise.all(relays.map((r) => r.flush()));
      }
      await waitFor('all events', () => checker.unique === 300);
      // Let any stray duplicate arrive before counting.
      await new Promise((r) => setTimeout(r, 200));
      expect(checker.report(expectedSequences(prefix, 6, 50))).toMatchObject({
        unique: 300,
        duplicates: 0,
        gaps: [],
        outOfOrder: [],
      });
    } finally {
      await bus.close();
      await destroy();
      await testDb.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
