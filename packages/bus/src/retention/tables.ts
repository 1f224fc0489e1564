// The bus's own tables that grow without bound, as the pruner takes them.
import { PROCESSED_EVENTS_TABLE } from '../dedupe.js';
import type { RetainedTable } from './pruner.js';

/**
 * An outbox table's published rows, kept `retentionMs` after they were sent. Unsent rows (`sent_at`
 * null) are never pruned, however old.
 */
export function sentOutboxRows(table: string, retentionMs: number): RetainedTable {
  return { table, column: 'sent_at', retentionMs };
}

/**
 * Processed event ids, kept `retentionMs` after the event was handled. It must outlive every
 * redelivery of the event: at least the topic's retention (a group that re-reads from its oldest
 * offset sees every record still on the topic), or a redelivered event would be handled again.
 */
export function processedEventIds(retentionMs: number): RetainedTable {
  return { table: PROCESSED_EVENTS_TABLE, column: 'processed_at', retentionMs };
}
