// The plugin outbox relay is woken when the handler that published returns (its transaction has
// committed by then): with the relay's poll a minute away, a ledger entry still reaches the
// ledger topic's subscriber, well within the wait below. The wait is a bound, not a speed check.
import {
  coreServices,
  createLedgerEntryPosted,
  definePlugin,
  type EventOf,
  LEDGER_ENTRIES_TOPIC,
  type LedgerEntryPostedEvent,
} from '@paystream/plugin-sdk';
import { makeEvents, runId, startTestHost, type TestHost, waitFor } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';

/** The entry a test booker posts for a succeeded payment. */
const entryFor = (event: EventOf<'payment.succeeded'>, source: string) =>
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
    { source },
  );

/** Books each succeeded payment as one entry, in a transaction of its own as the ledger does. */
const booker = definePlugin({
  id: 'booker',
  subscribes: { types: ['payment.succeeded'] },
  deps: { database: coreServices.database, publisher: coreServices.publisher },
  setup: (deps) => deps,
  async handle(event, { state }) {
    await state.database.db.transaction().execute(async (trx) => {
      await state.publisher.publish(trx, LEDGER_ENTRIES_TOPIC, [entryFor(event, 'test/booker')]);
    });
  },
});

/** The same, in batches: one transaction per batch, as the ledger books. */
const batchBooker = definePlugin({
  id: 'batch-booker',
  subscribes: { types: ['payment.succeeded'] },
  deps: { publisher: coreServices.publisher },
  setup: (deps) => deps,
  async handle() {
    throw new Error('this plugin books in batches only');
  },
  async handleBatch(events, { trx, state }) {
    await state.publisher.publish(
      trx,
      LEDGER_ENTRIES_TOPIC,
      events.map((event) => entryFor(event, 'test/batch-booker')),
    );
  },
});

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('plugin outbox relay woken by the handler that published', () => {
  it.each([
    ['one event at a time', booker],
    ['in batches', batchBooker],
  ])(
    'sends ledger entries without waiting for its poll (%s)',
    async (_name, plugin) => {
      const seen: LedgerEntryPostedEvent[] = [];
      const reader = definePlugin({
        id: 'entry-reader',
        subscribes: { types: ['ledger.entry.posted'] },
        async handle(event) {
          seen.push(event);
        },
      })();
      t = await startTestHost({ plugins: [plugin(), reader], outboxPollIntervalMs: 60_000 });
      // The relay's start-up run is a zero-delay timer: one timer turn queues it, the flush waits
      // for it. From then on the next poll is a minute away.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await t.host.flushOutbox();
      const paid = makeEvents({ prefix: runId(), keys: 3, type: 'payment.succeeded' });
      await t.bus.publish(paid);
      await waitFor('every ledger entry at its subscriber', () => seen.length === paid.length, {
        timeoutMs: 15_000,
        intervalMs: 20,
      });
      expect(seen.map((e) => e.data.eventId).sort()).toEqual(paid.map((e) => e.id).sort());
      expect(await t.host.flushOutbox()).toBe(0);
    },
    60_000,
  );
});
