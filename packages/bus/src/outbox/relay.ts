import { validateEvent } from '@paystream/events';
import type { EventBus } from '../types.js';
import { OUTBOX_TABLE } from './migrations.js';
import { createTableRelay, type OutboxRelay, type RelayOptions } from './table-relay.js';

/** Options of {@link createOutboxRelay}. */
export interface OutboxRelayOptions extends RelayOptions {
  bus: EventBus;
}

/**
 * Creates the relay of the events outbox (`paystream_outbox`, what `enqueueEvents` stores): each
 * row is a validated event, published with `bus.publish` strictly in order. On PostgreSQL any
 * number of relays may run (one publishes at a time), on SQLite run one per file. A crash between
 * publish and mark-sent re-sends the batch with the same event ids, which consumers dedupe.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { bus, ...rest } = opts;
  return createTableRelay<{ payload: string }>({
    ...rest,
    table: OUTBOX_TABLE,
    columns: ['payload'],
    send: (rows) => bus.publish(rows.map((r) => validateEvent(JSON.parse(r.payload)))),
  });
}
