// Batch delivery to a plugin that implements `handleBatch`: the host's own records of the batch
// (which event ids are done, the orders' last sequences over every payment event, subscribed or
// not) and the plugin's effects are written in ONE transaction, so a batch is either wholly done
// or not at all. When it fails, the bus delivers the same events one by one through the ordinary
// handler, which retries and dead-letters.
//
// A payment waits for each round trip of its batch in turn, so a batch costs as few as the
// database allows: on PostgreSQL begin, one read (the ids done, the sequences and the reads the
// plugin declared to `batchService`), one write (the host's records, then the writes and outbox
// rows the plugin queued there, as data-modifying CTEs) and commit. Statements the plugin runs
// through `trx` itself come on top.
import { type BatchHandler, markProcessedStatements, processedAmongQueries } from '@paystream/bus';
import type { Kysely } from '@paystream/db';
import type { LedgerEntryPostedEvent, TypedEvent } from '@paystream/events';
import type { ChildLogger } from '@paystream/logger';
import { type BatchStatement, type PaystreamPlugin, subscriptionMatches } from '@paystream/plugin-sdk';
import type { HostBatches } from './batches.js';
import { type LastSequenceRow, lastSequenceQueries, sequenceUpserts, sequenceVerdicts } from './state.js';
import { readAll, writeAll } from './statements.js';

/** What a plugin of the host reads: payment events, or the ledger's entries. */
export type HostEvent = TypedEvent | LedgerEntryPostedEvent;

/** The plugin a batch handler delivers to, and what it reports back to the host. */
export interface BatchTarget {
  plugin: PaystreamPlugin;
  logger: ChildLogger;
  /** What the plugin's `setup` returned (read at delivery time). */
  state(): unknown;
  deps(): Record<string, unknown>;
  /** A sequence gap the committed batch contained (same report as the one-by-one path's). */
  onGap(event: TypedEvent, missing: number[]): void;
  /** The plugin's `batchService`: its reads of a batch, and the writes it queued. */
  batches: HostBatches;
}

const isPaymentEvent = (e: HostEvent): e is TypedEvent => e.type !== 'ledger.entry.posted';

/** The bus batch handler of a plugin with `handleBatch` (undefined for one without). */
export function pluginBatchHandler(
  db: Kysely<unknown>,
  target: BatchTarget,
): BatchHandler<HostEvent> | undefined {
  const { spec, id } = target.plugin;
  const handleBatch = spec.handleBatch;
  if (!handleBatch) return undefined;
  return async (events, { group, signal }) => {
    const mine = events.filter((e) => subscriptionMatches(spec.subscribes, e));
    // Sequences are tracked over every payment event, read or not (see the one-by-one handler).
    if (mine.length === 0 && !events.some(isPaymentEvent)) return undefined;
    const after: (() => void)[] = [];
    const outcome = await db.transaction().execute(async (trx) => {
      const payments = events.filter(isPaymentEvent);
      const deliveries = payments.map((e) => ({ outTradeNo: e.subject, sequence: e.data.sequence }));
      // Every read of the batch at once: the host's and the plugin's.
      const reads = new Map<string, BatchStatement>();
      const processed = processedAmongQueries(
        trx,
        group,
        mine.map((e) => e.id),
      );
      for (const [i, q] of processed.entries()) reads.set(`host:processed:${i}`, q);
      for (const [i, q] of lastSequenceQueries(trx, id, deliveries).entries())
        reads.set(`host:sequences:${i}`, q);
      for (const [name, q] of Object.entries(target.batches.reads(mine, trx))) reads.set(`plugin:${name}`, q);
      const rows = await readAll(trx, reads);
      const done = new Set<string>();
      const lastSequences: LastSequenceRow[] = [];
      const pluginRows: Record<string, Record<string, unknown>[]> = {};
      for (const [name, found] of rows) {
        if (name.startsWith('host:processed:')) for (const r of found) done.add(r.event_id as string);
        else if (name.startsWith('host:sequences:')) lastSequences.push(...(found as never[]));
        else pluginRows[name.slice('plugin:'.length)] = found;
      }
      const fresh: HostEvent[] = [];
      const duplicates: string[] = [];
      const repeated = new Set<HostEvent>();
      for (const e of mine) {
        // A redelivered id, or the same id twice in one batch (a relay re-send): once only.
        if (done.has(e.id)) {
          duplicates.push(e.id);
          repeated.add(e);
        } else {
          done.add(e.id);
          fresh.push(e);
        }
      }
      // Every payment event of the run in order, subscribed or not (less the repeats): an event
      // the plugin does not read still takes its order's next sequence number.
      const sequenced = payments.filter((e) => !repeated.has(e));
      const { verdicts, moved } = sequenceVerdicts(
        lastSequences,
        sequenced.map((e) => ({ outTradeNo: e.subject, sequence: e.data.sequence })),
      );
      // Every write of the batch at once: the host's records, then what the plugin queued.
      const writes: BatchStatement[] = [
        ...markProcessedStatements(
          trx,
          group,
          fresh.map((e) => e.id),
        ),
        ...sequenceUpserts(trx, id, moved),
      ];
      if (fresh.length > 0) {
        target.batches.open(trx, pluginRows);
        let queued: BatchStatement[] = [];
        try {
          await handleBatch(fresh as never, {
            trx,
            logger: target.logger,
            signal,
            state: target.state(),
            deps: target.deps() as never,
            afterCommit: (fn) => after.push(fn),
          });
        } finally {
          queued = target.batches.close(trx);
        }
        writes.push(...queued);
      }
      await writeAll(trx, writes);
      const gaps = sequenced.flatMap((event, i) => {
        const v = verdicts[i]!;
        return v.kind === 'gap' ? [{ event, missing: v.missing }] : [];
      });
      return { duplicates, gaps };
    });
    for (const { event, missing } of outcome.gaps) target.onGap(event, missing);
    for (const fn of after) {
      try {
        fn();
      } catch (err) {
        // The batch is committed: a failing after-commit step must not make the bus redeliver it.
        target.logger.error(
          { error: err instanceof Error ? err.message : String(err) },
          'after-commit step of a batch failed',
        );
      }
    }
    return { duplicates: outcome.duplicates };
  };
}
