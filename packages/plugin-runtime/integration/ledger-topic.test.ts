// A plugin can subscribe to the ledger's topic (`ledger.entries.v1`): what one plugin publishes
// through its outbox reaches another's handler, once per entry, on either transport.
import {
  coreServices,
  createLedgerEntryPosted,
  definePlugin,
  LEDGER_ENTRIES_TOPIC,
  type LedgerEntryPostedEvent,
  PluginDefinitionError,
} from '@paystream/plugin-sdk';
import { makeEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import { afterEach, describe, expect, it } from 'vitest';

/** Books each succeeded payment as one entry, like the ledger does. */
const booker = definePlugin({
  id: 'booker',
  subscribes: { types: ['payment.succeeded'] },
  deps: { database: coreServices.database, publisher: coreServices.publisher },
  setup: (deps) => deps,
  async handle(event, { state }) {
    const entry = createLedgerEntryPosted(
      {
        entryId: `entry-${event.id}`,
        eventId: event.id,
        eventType: event.type,
        outTradeNo: event.subject,
        wallet: event.data.wallet,
        postings: [
          {
            account: 'assets:a',
            side: 'debit',
            amountMinor: event.data.amountMinor,
            currency: event.data.currency,
          },
          {
            account: 'income:b',
            side: 'credit',
            amountMinor: event.data.amountMinor,
            currency: event.data.currency,
          },
        ],
        postedAt: new Date().toISOString(),
      },
      { source: 'test/booker' },
    );
    await state.publisher.publish(state.database.db, LEDGER_ENTRIES_TOPIC, [entry]);
  },
});

function entryReader() {
  const seen: LedgerEntryPostedEvent[] = [];
  const plugin = definePlugin({
    id: 'entry-reader',
    subscribes: { types: ['ledger.entry.posted'] },
    async handle(event) {
      seen.push(event); // typed: event.data.postings without a cast
    },
  })();
  return { plugin, seen };
}

let t: TestHost | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const transports = ['embedded', 'kafka'] as const;

describe.each(transports)('ledger topic on %s', (transport) => {
  it('hands each published ledger entry to a subscriber once, even after a full redelivery', async () => {
    const reader = entryReader();
    t = await startTestHost({ plugins: [booker(), reader.plugin], transport });
    const paid = makeEvents({ prefix: runId(), keys: 3, type: 'payment.succeeded' });
    await t.publish(paid);
    expect(reader.seen.map((e) => e.data.eventId).sort()).toEqual(paid.map((e) => e.id).sort());
    expect(reader.seen[0]!.type).toBe('ledger.entry.posted');
    // A full redelivery (dedupe is the host's, the same on both transports; Kafka's group rejoin is slow).
    if (transport === 'embedded') {
      await t.replay();
      await t.settle();
      expect(reader.seen).toHaveLength(3);
    }
    const status = await t.host.status();
    expect(status.find((s) => s.id === 'entry-reader')).toMatchObject({ lag: 0, deadLetters: 0 });
  }, 60_000); // Kafka: joining two consumer groups
});

describe('ledger subscriptions are checked early', () => {
  it('refuses a plugin mixing ledger and payment types, or filtering ledger entries by code', () => {
    expect(() =>
      definePlugin({
        id: 'mixed',
        subscribes: { types: ['ledger.entry.posted', 'payment.failed'] },
        handle: async () => {},
      }),
    ).toThrow(/mixes ledger types \(ledger.entry.posted\) with payment types/);
    expect(() =>
      definePlugin({
        id: 'coded',
        subscribes: { types: ['ledger.entry.posted'], codes: ['64'] },
        handle: async () => {},
      }),
    ).toThrow(PluginDefinitionError);
  });
});
