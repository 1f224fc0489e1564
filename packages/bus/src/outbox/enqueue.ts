import { preparedQuery } from '@paystream/db';
import { type PaystreamEvent, validateEvent } from '@paystream/events';
import type { Kysely, Transaction } from 'kysely';
import { OUTBOX_TABLE } from './migrations.js';

/** A row of the events outbox, as {@link enqueueEvents} inserts it. */
export interface OutboxRow {
  event_id: string;
  type: string;
  subject: string;
  payload: string;
  created_at: string;
}

// Most state changes record one event: that insert is built and compiled once.
// biome-ignore lint/suspicious/noExplicitAny: the outbox lives in the caller's database, whatever its schema type.
const insertOne = preparedQuery((db: Kysely<any>, row: OutboxRow) => db.insertInto(OUTBOX_TABLE).values(row));

/**
 * Stores events in the outbox inside the caller's transaction, so they exist exactly when the state
 * change they describe commits. Validates first: a bad event fails the transaction, not the relay.
 */
export async function enqueueEvents(
  // biome-ignore lint/suspicious/noExplicitAny: called inside the gateway's transaction, whatever its schema type.
  trx: Kysely<any> | Transaction<any>,
  events: readonly PaystreamEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = outboxRows(events);
  if (rows.length === 1) await insertOne(trx, rows[0]!);
  else await trx.insertInto(OUTBOX_TABLE).values(rows).execute();
}

/**
 * The outbox rows of `events`, validated, for a statement that writes them itself (a
 * data-modifying CTE that records a state change and its events in one round trip). Throws on a
 * bad event before anything is written.
 */
export function outboxRows(events: readonly PaystreamEvent[]): OutboxRow[] {
  const now = new Date().toISOString();
  return events.map((e) => {
    const v = validateEvent(e);
    return { event_id: v.id, type: v.type, subject: v.subject, payload: JSON.stringify(v), created_at: now };
  });
}
