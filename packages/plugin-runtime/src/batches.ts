// One plugin's `batchService`: the selects it declared for every batch, and, per batch under way
// (several partitions run at once), the rows of those selects and the writes it queued. A batch is
// known by its transaction, the `trx` the host hands `handleBatch`.
import type { Kysely } from '@paystream/db';
import type { CloudEventEnvelope } from '@paystream/events';
import type { BatchReadRows, BatchStatement, PluginBatches } from '@paystream/plugin-sdk';

// biome-ignore lint/suspicious/noExplicitAny: the plugin's tables, whatever its schema type.
type AnyDb = Kysely<any>;
const OUTBOX_ROWS_PER_INSERT = 500;
type Select = (events: readonly unknown[], db: AnyDb) => Readonly<Record<string, BatchStatement>>;

/** What the host does with a plugin's batches (the plugin sees `service`). */
export interface HostBatches {
  readonly service: PluginBatches;
  /** The plugin's selects for `events`, built on `db` (none declared: `{}`). */
  reads(events: readonly unknown[], db: AnyDb): Readonly<Record<string, BatchStatement>>;
  /** Opens the batch of `trx` for `handleBatch`, with its reads' rows. */
  open(trx: object, rows: BatchReadRows): void;
  /** Ends the batch of `trx`: the writes the plugin queued, in order. */
  close(trx: object): BatchStatement[];
}

/**
 * The batch service of plugin `id`; `outbox` builds the plugin outbox insert of a publish (and
 * counts it as one).
 */
export function pluginBatches(
  id: string,
  outbox: (topic: string, events: readonly CloudEventEnvelope[]) => BatchStatement,
): HostBatches {
  let select: Select | undefined;
  const open = new WeakMap<object, { rows: BatchReadRows; writes: BatchStatement[] }>();
  const batchOf = (trx: object) => {
    const batch = open.get(trx);
    if (!batch)
      throw new Error(
        `plugin ${id}: no batch under way in this transaction (pass handleBatch's trx, before it returns)`,
      );
    return batch;
  };
  const service: PluginBatches = {
    reads(fn) {
      if (select) throw new Error(`plugin ${id}: the batch reads are declared once`);
      select = fn as Select;
    },
    rows: (trx) => batchOf(trx).rows,
    write(trx, ...statements) {
      batchOf(trx).writes.push(...statements);
    },
    publish(trx, topic, events) {
      const batch = batchOf(trx);
      // Rows per insert: a statement's bound parameters stay far below PostgreSQL's limit.
      for (let i = 0; i < events.length; i += OUTBOX_ROWS_PER_INSERT)
        batch.writes.push(outbox(topic, events.slice(i, i + OUTBOX_ROWS_PER_INSERT)));
    },
  };
  return {
    service,
    reads: (events, db) => (select && events.length > 0 ? select(events, db) : {}),
    open(trx, rows) {
      open.set(trx, { rows, writes: [] });
    },
    close(trx) {
      const writes = open.get(trx)?.writes ?? [];
      open.delete(trx);
      return writes;
    },
  };
}
