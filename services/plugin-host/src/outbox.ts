// Each plugin publishes through the host's plugin outbox: rows written in the plugin's own
// transaction, sent by one relay in position order. A crash between send and mark-sent sends again
// with the same CloudEvents id, which consumers dedupe.
import { createPoller, type RawRecord } from '@paystream/bus';
import type { Kysely, Transaction } from '@paystream/db';
import { type CloudEventEnvelope, toKafkaMessage } from '@paystream/events';
import type { Logger } from '@paystream/logger';
import { PLUGIN_OUTBOX_TABLE } from './state.js';

// biome-ignore lint/suspicious/noExplicitAny: the host's and the plugin's schemas are their own.
type AnyDb = Kysely<any> | Transaction<any>;

/** Stores events for `topic` in the caller's transaction; the same event id is stored once. */
export async function enqueuePluginEvents(
  trx: AnyDb,
  plugin: string,
  topic: string,
  events: readonly CloudEventEnvelope[],
): Promise<void> {
  if (events.length === 0) return;
  const now = new Date().toISOString();
  const rows = events.map((e) => {
    const m = toKafkaMessage(e);
    return {
      plugin,
      topic,
      event_id: e.id,
      record_key: m.key,
      record_value: String(m.value),
      headers: JSON.stringify(m.headers),
      created_at: now,
    };
  });
  await trx
    .insertInto(PLUGIN_OUTBOX_TABLE)
    .values(rows)
    .onConflict((oc) => oc.columns(['plugin', 'topic', 'event_id']).doNothing())
    .execute();
}

// Rows per send: a plugin booking in batches writes hundreds of records per transaction, and each
// relay round costs a select, a Kafka round trip and an update whatever its size.
const RELAY_BATCH = 500;

interface Row {
  position: number;
  topic: string;
  record_key: string | null;
  record_value: string | null;
  headers: string;
}

/** The relay of the plugin outbox. */
export interface PluginOutboxRelay {
  /** Sends everything pending now, in order; returns how many rows. */
  flush(): Promise<number>;
  /** Sends soon, without waiting for the next poll (after rows were committed); wakes coalesce. */
  wake(): void;
  pending(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** Creates the relay (one per host; flushes never overlap); `send` publishes to the topic's bus. */
export function createPluginOutboxRelay(
  // biome-ignore lint/suspicious/noExplicitAny: see AnyDb.
  db: Kysely<any>,
  send: (topic: string, records: readonly RawRecord[]) => Promise<void>,
  logger: Logger,
  pollIntervalMs = 200,
): PluginOutboxRelay {
  const batch = async (): Promise<number> => {
    const rows = (await db
      .selectFrom(PLUGIN_OUTBOX_TABLE)
      .select(['position', 'topic', 'record_key', 'record_value', 'headers'])
      .where('sent_at', 'is', null)
      .orderBy('position')
      .limit(RELAY_BATCH)
      .execute()) as Row[];
    if (rows.length === 0) return 0;
    // Consecutive rows of one topic go in one send, keeping the overall order.
    let start = 0;
    while (start < rows.length) {
      let end = start + 1;
      while (end < rows.length && rows[end]!.topic === rows[start]!.topic) end += 1;
      const records: RawRecord[] = rows
        .slice(start, end)
        .map((r) => ({ key: r.record_key, value: r.record_value, headers: JSON.parse(r.headers) }));
      await send(rows[start]!.topic, records);
      start = end;
    }
    await db
      .updateTable(PLUGIN_OUTBOX_TABLE)
      .set({ sent_at: new Date().toISOString() })
      .where(
        'position',
        'in',
        rows.map((r) => r.position),
      )
      .execute();
    return rows.length;
  };

  const drain = async () => {
    let total = 0;
    for (;;) {
      const n = await batch();
      total += n;
      // A short batch read every row pending when it looked: the next wake or poll finds the rest.
      if (n < RELAY_BATCH) return total;
    }
  };
  const poller = createPoller(drain, {
    pollIntervalMs,
    logger,
    failure: 'plugin outbox relay failed; will retry',
  });
  return {
    flush: poller.flush,
    wake: poller.wake,
    start: poller.start,
    stop: poller.stop,
    async pending() {
      const row = await db
        .selectFrom(PLUGIN_OUTBOX_TABLE)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('sent_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
