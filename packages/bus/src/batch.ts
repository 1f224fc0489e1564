// Hands a run of fetched records to a subscription's batch handler in one call. Per event the work
// that matters to a database-backed plugin (dedupe, effects, bookkeeping) is a few rows in shared
// statements instead of a dozen round trips; what the handler refuses is left to the one-by-one
// path, which alone retries, backs off and dead-letters.
import { SpanStatusCode } from '@opentelemetry/api';
import type { DeliveryDeps, FetchedRecord } from './delivery.js';
import { errorMessage } from './log.js';
import { startProcessSpan } from './tracing.js';
import type { BusEvent } from './types.js';

/**
 * Delivers `records` through `deps.opts.batch`: true when every one is done, false when nothing of
 * the run happened (a record that is not an event, or the handler threw) and the caller must
 * deliver them one by one.
 */
export async function deliverRun(records: readonly FetchedRecord[], deps: DeliveryDeps): Promise<boolean> {
  const { group, topic, metrics } = deps;
  const batch = deps.opts.batch;
  if (!batch) return false;
  const events: BusEvent[] = [];
  const sources: FetchedRecord[] = [];
  let unknown = 0;
  for (const rec of records) {
    try {
      const read = deps.opts.read(rec.raw);
      if (read.kind === 'unknown_type') unknown += 1;
      else {
        events.push(read.event);
        sources.push(rec);
      }
    } catch {
      // Not an event: the one-by-one path dead-letters it as malformed.
      return false;
    }
  }
  const startTime = Date.now();
  let duplicates: readonly string[] = [];
  if (events.length > 0) {
    try {
      duplicates = (await batch(events, { group, signal: deps.signal }))?.duplicates ?? [];
    } catch (err) {
      metrics.batchFallbacks.inc(group);
      deps.logger.warn(
        { group, topic, events: events.length, error: errorMessage(err) },
        'batch failed; delivering its events one by one',
      );
      return false;
    }
  }
  if (unknown > 0) metrics.handled.inc({ plugin: group, type: 'unknown', outcome: 'skipped' }, unknown);
  const duplicate = new Map<string, number>();
  for (const id of duplicates) duplicate.set(id, (duplicate.get(id) ?? 0) + 1);
  const tally = new Map<string, number>();
  events.forEach((event, i) => {
    const left = duplicate.get(event.id) ?? 0;
    if (left > 0) duplicate.set(event.id, left - 1);
    const key = `${event.type}\n${left > 0 ? 'duplicate' : 'ok'}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    const { span } = startProcessSpan(topic, group, sources[i]!.raw.headers, event, {
      startTime,
      size: events.length,
    });
    span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  });
  for (const [key, n] of tally) {
    const [type, outcome] = key.split('\n') as [string, string];
    metrics.handled.inc({ plugin: group, type, outcome }, n);
  }
  return true;
}
