// An outbox of Kafka records rather than events: each row holds a topic and a record ready to send
// as it is (the plugin host's outbox, whose plugins publish ledger entries and other topics). The
// row format is written and read here, and the relay is the one of every outbox (table-relay.ts).
import type { RawRecord } from '../types.js';
import { createTableRelay, type OutboxRelay, type RelayOptions } from './table-relay.js';

/** The columns of an outbox row that holds one Kafka record. */
export interface OutboxRecordColumns {
  topic: string;
  record_key: string | null;
  record_value: string | null;
  /** The headers as a JSON object. */
  headers: string;
}

/** The columns that store `record` for `topic` (insert them with the table's own columns). */
export function outboxRecordColumns(topic: string, record: RawRecord): OutboxRecordColumns {
  return {
    topic,
    record_key: record.key,
    record_value: record.value,
    headers: JSON.stringify(record.headers),
  };
}

/** Options of {@link createRecordOutboxRelay}. */
export interface RecordOutboxRelayOptions extends RelayOptions {
  /** A table with `position`, `sent_at` and the {@link OutboxRecordColumns}. */
  table: string;
  /** Sends records to a topic in the order given (e.g. the topic's bus `publishRaw`). */
  send(topic: string, records: readonly RawRecord[]): Promise<void>;
}

/**
 * Creates the relay of an outbox of Kafka records: rows go out in position order, consecutive rows
 * of one topic in one send, with the lock, gauge and group commit of every outbox relay.
 */
export function createRecordOutboxRelay(opts: RecordOutboxRelayOptions): OutboxRelay {
  const { send, ...rest } = opts;
  return createTableRelay<OutboxRecordColumns>({
    ...rest,
    columns: ['topic', 'record_key', 'record_value', 'headers'],
    async send(rows) {
      let start = 0;
      while (start < rows.length) {
        const topic = rows[start]!.topic;
        let end = start + 1;
        while (end < rows.length && rows[end]!.topic === topic) end += 1;
        await send(
          topic,
          rows.slice(start, end).map((r) => ({
            key: r.record_key,
            value: r.record_value,
            headers: JSON.parse(r.headers) as Record<string, string>,
          })),
        );
        start = end;
      }
    },
  });
}
