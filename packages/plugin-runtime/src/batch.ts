// Batch delivery to a plugin that implements `handleBatch`: the host's own records of the batch
// (which event ids are done, the orders' last sequences over every payment event, subscribed or
// not) and the plugin's effects are written in ONE transaction, so a batch is either wholly done
// or not at all. When it fails, the bus delivers the same events one by one through the ordinary
// handler, which retries and dead-letters.
import { type BatchHandler, markProcessed, processedAmong } from '@paystream/bus';
import type { Kysely } from '@paystream/db';
import type { LedgerEntryPostedEvent, TypedEvent } from '@paystream/events';
import type { ChildLogger } from '@paystream/logger';
import { type PaystreamPlugin, subscriptionMatches } from '@paystream/plugin-sdk';
import { checkSequences } from './state.js';

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
      const done = await processedAmong(
        trx,
        group,
        mine.map((e) => e.id),
      );
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
      const sequenced = events.filter((e): e is TypedEvent => isPaymentEvent(e) && !repeated.has(e));
      const verdicts = await checkSequences(
        trx,
        id,
        sequenced.map((e) => ({ outTradeNo: e.subject, sequence: e.data.sequence })),
      );
      // Written first: the plugin's last statements are then the ones that lock shared rows
      // (balances), held only until the commit that follows them.
      await markProcessed(
        trx,
        group,
        fresh.map((e) => e.id),
      );
      if (fresh.length > 0)
        await handleBatch(fresh as never, {
          trx,
          logger: target.logger,
          signal,
          state: target.state(),
          deps: target.deps() as never,
          afterCommit: (fn) => after.push(fn),
        });
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
