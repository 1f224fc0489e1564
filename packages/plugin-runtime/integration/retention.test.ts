// The host keeps its growing tables to their retention, on both engines: sent rows of the plugins'
// outbox and processed event ids past it are deleted, younger ones stay, unsent rows always do.
import { PROCESSED_EVENTS_TABLE } from '@paystream/bus';
import type { RetentionConfig } from '@paystream/config';
import { TEST_DATABASE_KINDS } from '@paystream/db/testing';
import {
  coreServices,
  createLedgerEntryPosted,
  definePlugin,
  LEDGER_ENTRIES_TOPIC,
} from '@paystream/plugin-sdk';
import { makeEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import { METRIC_TABLE_ROWS } from '@paystream/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { PLUGIN_OUTBOX_TABLE } from '../src/state.js';

const MINUTE = 60_000;
const retention: RetentionConfig = {
  sentOutboxMs: 10 * MINUTE,
  processedEventsMs: 60 * MINUTE,
  idempotencyKeysMs: 24 * 60 * MINUTE,
  // Only the passes the test asks for.
  pruneIntervalMs: 24 * 60 * MINUTE,
  pruneBatchSize: 3,
  prunePauseMs: 0,
};

/** Books each succeeded payment as one entry through the outbox. */
const booker = definePlugin({
  id: 'booker',
  subscribes: { types: ['payment.succeeded'] },
  deps: { database: coreServices.database, publisher: coreServices.publisher },
  setup: (deps) => deps,
  async handle(event, { state }) {
    await state.database.db.transaction().execute(async (trx) => {
      await state.publisher.publish(trx, LEDGER_ENTRIES_TOPIC, [
        createLedgerEntryPosted(
          {
            entryId: `entry-${event.id}`,
            eventId: event.id,
            eventType: event.type,
            outTradeNo: event.subject,
            wallet: event.data.wallet,
            postings: [
              { account: 'assets:a', side: 'debit', amountMinor: event.data.amountMinor, currency: 'HKD' },
              { account: 'income:b', side: 'credit', amountMinor: event.data.amountMinor, currency: 'HKD' },
            ],
            postedAt: new Date().toISOString(),
          },
          { source: 'test/booker' },
        ),
      ]);
    });
  },
});

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe.each(TEST_DATABASE_KINDS)('plugin host retention on %s', (kind) => {
  it('deletes sent outbox rows and processed ids past their retention, nothing younger, no unsent row', async () => {
    t = await startTestHost({ plugins: [booker({})], database: kind, retention });
    // biome-ignore lint/suspicious/noExplicitAny: the host's tables, untyped here.
    const db = t.database.db as any;
    const prefix = runId();
    await t.publish(makeEvents({ prefix, keys: 10, type: 'payment.succeeded' }));
    expect(await t.host.flushOutbox()).toBe(0);
    // The pass the host starts with may still be running: passes never overlap, so this one
    // returns after it, and no pass runs between the stamping below and the counted one.
    await t.host.prune();

    // Orders 0-6: sent 11 minutes ago and processed 61 minutes ago (past both retentions); 7-9 just now.
    const old = Array.from({ length: 7 }, (_, k) => k);
    const stamp = (ms: number) => new Date(Date.now() - ms).toISOString();
    await db
      .updateTable(PLUGIN_OUTBOX_TABLE)
      .set({ sent_at: stamp(11 * MINUTE) })
      .where(
        'record_key',
        'in',
        old.map((k) => `${prefix}-${k}`),
      )
      .execute();
    await db
      .updateTable(PROCESSED_EVENTS_TABLE)
      .set({ processed_at: stamp(61 * MINUTE) })
      .where(
        'event_id',
        'in',
        old.map((k) => `${prefix}:${k}:1`),
      )
      .execute();
    // A row no relay has sent yet, a day old, stays.
    await db
      .insertInto(PLUGIN_OUTBOX_TABLE)
      .values({
        plugin: 'booker',
        topic: LEDGER_ENTRIES_TOPIC,
        event_id: 'unsent',
        record_key: 'unsent',
        record_value: null,
        headers: '{}',
        created_at: stamp(24 * 60 * MINUTE),
        sent_at: null,
      })
      .execute();

    expect(await t.host.prune()).toEqual({ [PLUGIN_OUTBOX_TABLE]: 7, [PROCESSED_EVENTS_TABLE]: 7 });
    const keys = await db
      .selectFrom(PLUGIN_OUTBOX_TABLE)
      .select('record_key')
      .orderBy('record_key')
      .execute();
    expect(keys.map((r: { record_key: string }) => r.record_key)).toEqual([
      `${prefix}-7`,
      `${prefix}-8`,
      `${prefix}-9`,
      'unsent',
    ]);
    const ids = await db
      .selectFrom(PROCESSED_EVENTS_TABLE)
      .select('event_id')
      .where('group_name', '=', 'paystream.plugin.booker')
      .orderBy('event_id')
      .execute();
    expect(ids.map((r: { event_id: string }) => r.event_id)).toEqual([
      `${prefix}:7:1`,
      `${prefix}:8:1`,
      `${prefix}:9:1`,
    ]);
    const rows = (await t.registry.getSingleMetric(METRIC_TABLE_ROWS)!.get()).values;
    expect(rows.map((v) => [v.labels.table, v.value])).toEqual([
      [PLUGIN_OUTBOX_TABLE, 4],
      [PROCESSED_EVENTS_TABLE, 3],
    ]);
  }, 60_000);
});
