// Each plugin publishes through the host's plugin outbox: rows written in the plugin's own
// transaction, then sent in position order by the bus's outbox relay (createRecordOutboxRelay),
// one relay at a time however many hosts share the database. A crash between send and mark-sent
// sends again with the same CloudEvents id, which consumers dedupe.
import { outboxRecordColumns } from '@paystream/bus';
import type { Kysely, Transaction } from '@paystream/db';
import { type CloudEventEnvelope, toKafkaMessage } from '@paystream/events';
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
  await pluginOutboxInsert(trx, plugin, topic, events).execute();
}

/** The insert of {@link enqueuePluginEvents}, built on `db` and not run (`events` not empty). */
export function pluginOutboxInsert(
  db: AnyDb,
  plugin: string,
  topic: string,
  events: readonly CloudEventEnvelope[],
) {
  const now = new Date().toISOString();
  const rows = events.map((e) => {
    const m = toKafkaMessage(e);
    return {
      plugin,
      event_id: e.id,
      ...outboxRecordColumns(topic, { key: m.key, value: String(m.value), headers: m.headers }),
      created_at: now,
    };
  });
  return db
    .insertInto(PLUGIN_OUTBOX_TABLE)
    .values(rows)
    .onConflict((oc) => oc.columns(['plugin', 'topic', 'event_id']).doNothing());
}

/**
 * Rows per send: a plugin booking in batches writes hundreds of records per transaction, and each
 * relay round costs a select, a Kafka round trip and an update whatever its size.
 */
export const PLUGIN_OUTBOX_BATCH = 500;
