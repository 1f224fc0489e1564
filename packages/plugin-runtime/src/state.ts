// The host's own tables, beside the plugins' in the same database: the plugins' outbox, the event
// ids each plugin has finished (dedupe), and the last sequence each plugin saw per order (gaps).
import { createOutboxTable, processedIdsMigrations } from '@paystream/bus';
import { type Kysely, type Migration, migrateToLatest } from '@paystream/db';
import { sql } from 'kysely';

/** Outbox of every plugin: what `publisher.publish` stored, for the relay to send. */
export const PLUGIN_OUTBOX_TABLE = 'paystream_plugin_outbox';
/** Last sequence seen per plugin and order. */
export const SEQUENCES_TABLE = 'paystream_plugin_sequences';

const hostMigrations: Record<string, Migration> = {
  '001_plugin_outbox': {
    async up(db: Kysely<unknown>) {
      await createOutboxTable(db, PLUGIN_OUTBOX_TABLE, (t) =>
        t
          .addColumn('plugin', 'varchar(64)', (c) => c.notNull())
          .addColumn('topic', 'varchar(200)', (c) => c.notNull())
          .addColumn('event_id', 'varchar(128)', (c) => c.notNull())
          .addColumn('record_key', 'varchar(200)')
          .addColumn('record_value', 'text')
          .addColumn('headers', 'text', (c) => c.notNull())
          .addUniqueConstraint('paystream_plugin_outbox_event', ['plugin', 'topic', 'event_id']),
      );
    },
  },
  '002_sequences': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(SEQUENCES_TABLE)
        .addColumn('plugin', 'varchar(64)', (c) => c.notNull())
        .addColumn('out_trade_no', 'varchar(64)', (c) => c.notNull())
        .addColumn('last_sequence', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('paystream_plugin_sequences_pk', ['plugin', 'out_trade_no'])
        .execute();
    },
  },
};

/** Creates or upgrades the host's tables (and the shared processed-ids table). */
export async function migrateHost(db: Kysely<unknown>): Promise<void> {
  await migrateToLatest(db, 'plugin_host', hostMigrations);
  await migrateToLatest(db, 'bus_dedupe', processedIdsMigrations);
}

/** What the sequence check concluded for one delivery. */
export type SequenceVerdict =
  | { kind: 'next' }
  | { kind: 'gap'; missing: number[] }
  | { kind: 'behind'; last: number };

/** One first delivery to check: the order and the event's sequence in it. */
export interface SequencedDelivery {
  outTradeNo: string;
  sequence: number;
}

/**
 * Records the sequence of a first delivery and says whether it continues the order's sequence.
 * A gap is reported (events lost upstream or skipped), never blocked: the plugin still sees it.
 * Every payment event counts, whether the plugin subscribes to its type or not. The last sequence
 * lives in the database the hosts share, per plugin and order, not in a host's memory: the host a
 * partition moves to after a rebalance or a restart goes on from what the previous one committed,
 * so first meeting an order mid-stream is no gap.
 */
export async function checkSequence(
  // biome-ignore lint/suspicious/noExplicitAny: the host's tables only.
  db: Kysely<any>,
  plugin: string,
  outTradeNo: string,
  sequence: number,
): Promise<SequenceVerdict> {
  const [verdict] = await checkSequences(db, plugin, [{ outTradeNo, sequence }]);
  return verdict!;
}

/**
 * {@link checkSequence} for many deliveries in order, in two statements: one read of the orders'
 * last sequences, one write of the new ones. Verdicts are those of checking one after the other.
 */
export async function checkSequences(
  // biome-ignore lint/suspicious/noExplicitAny: the host's tables only.
  db: Kysely<any>,
  plugin: string,
  deliveries: readonly SequencedDelivery[],
): Promise<SequenceVerdict[]> {
  if (deliveries.length === 0) return [];
  const rows: LastSequenceRow[] = [];
  for (const query of lastSequenceQueries(db, plugin, deliveries)) rows.push(...(await query.execute()));
  const { verdicts, moved } = sequenceVerdicts(rows, deliveries);
  for (const statement of sequenceUpserts(db, plugin, moved)) await statement.execute();
  return verdicts;
}

/** One order's last sequence, as {@link lastSequenceQueries} read it. */
export interface LastSequenceRow {
  out_trade_no: string;
  last_sequence: number;
}

/** The reads of {@link checkSequences}: the last sequences of the deliveries' orders (not run). */
export function lastSequenceQueries(
  // biome-ignore lint/suspicious/noExplicitAny: the host's tables only.
  db: Kysely<any>,
  plugin: string,
  deliveries: readonly SequencedDelivery[],
) {
  const orders = [...new Set(deliveries.map((d) => d.outTradeNo))];
  const queries = [];
  for (let i = 0; i < orders.length; i += 1000)
    queries.push(
      db
        .selectFrom(SEQUENCES_TABLE)
        .select(['out_trade_no', 'last_sequence'])
        .where('plugin', '=', plugin)
        .where('out_trade_no', 'in', orders.slice(i, i + 1000))
        .$castTo<LastSequenceRow>(),
    );
  return queries;
}

/**
 * The verdicts of the deliveries, checked one after the other from the orders' last sequences
 * (`rows`), and the orders' new last sequences (`moved`) for {@link sequenceUpserts}.
 */
export function sequenceVerdicts(
  rows: readonly LastSequenceRow[],
  deliveries: readonly SequencedDelivery[],
): { verdicts: SequenceVerdict[]; moved: Map<string, number> } {
  const last = new Map<string, number>();
  for (const r of rows) last.set(r.out_trade_no, Number(r.last_sequence));
  const moved = new Map<string, number>();
  const verdicts = deliveries.map(({ outTradeNo, sequence }): SequenceVerdict => {
    const before = last.get(outTradeNo) ?? 0;
    if (sequence <= before) return { kind: 'behind', last: before };
    last.set(outTradeNo, sequence);
    moved.set(outTradeNo, sequence);
    if (sequence === before + 1) return { kind: 'next' };
    return { kind: 'gap', missing: Array.from({ length: sequence - before - 1 }, (_, i) => before + 1 + i) };
  });
  return { verdicts, moved };
}

/** The writes of {@link checkSequences}: the orders' new last sequences (not run). */
export function sequenceUpserts(
  // biome-ignore lint/suspicious/noExplicitAny: the host's tables only.
  db: Kysely<any>,
  plugin: string,
  moved: ReadonlyMap<string, number>,
) {
  const lastSequence = sql.ref(`${SEQUENCES_TABLE}.last_sequence`);
  // Sorted, so concurrent batches lock the rows in one order.
  const rows = [...moved]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([outTradeNo, sequence]) => ({ plugin, out_trade_no: outTradeNo, last_sequence: sequence }));
  const statements = [];
  for (let i = 0; i < rows.length; i += 1000)
    statements.push(
      db
        .insertInto(SEQUENCES_TABLE)
        .values(rows.slice(i, i + 1000))
        .onConflict((oc) =>
          oc.columns(['plugin', 'out_trade_no']).doUpdateSet({
            // Never backwards: while a partition moves, two hosts may briefly handle one order, and
            // the one committing last may hold the older sequence.
            last_sequence: sql`case when excluded.last_sequence > ${lastSequence} then excluded.last_sequence else ${lastSequence} end`,
          }),
        ),
    );
  return statements;
}
