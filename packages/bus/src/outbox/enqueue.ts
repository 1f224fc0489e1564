import { type PaystreamEvent, validateEvent } from '@paystream/events';
import type { Kysely, Transaction } from 'kysely';
import { OUTBOX_TABLE } from './migrations.js';

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
  const now = new Date().toISOString();
  const rows = events.map((e) => {
    const v = validateEvent(e);
    return { event_id: v.id, type: v.type, subject: v.subject, payload: JSON.stringify(v), created_at: now };
  });
  await trx.insertInto(OUTBOX_TABLE).values(rows).execute();
}
