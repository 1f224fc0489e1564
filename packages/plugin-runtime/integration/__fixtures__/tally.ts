// A plugin that records each event id it takes, for the runtime's delivery suites. The id is the
// primary key, so an event that took effect twice fails (and is dead-lettered) instead of passing
// unnoticed.
import { coreServices, definePlugin, type Kysely, type TypedEvent } from '@paystream/plugin-sdk';

export interface TallySchema {
  tally_events: { event_id: string; out_trade_no: string };
}

/** Handlers held here (while set) until the test lets them go on. */
export interface Gate {
  reached: () => void;
  open: Promise<void>;
}

export interface TallyOptions {
  /** The id of the event the plugin cannot take, one by one or in a batch. */
  poison?: () => string | undefined;
  /** Where one-by-one handlers wait before they write. */
  gate?: () => Gate | undefined;
  /** Implement `handleBatch` too. Default true. */
  batches?: boolean;
}

const row = (e: TypedEvent) => ({ event_id: e.id, out_trade_no: e.subject });

/** The plugin, and what it was called with. */
export function tally(opts: TallyOptions = {}) {
  const calls = { batches: 0, batched: 0, oneByOne: [] as string[] };
  const plugin = definePlugin({
    id: 'tally',
    subscribes: { types: ['payment.created', 'payment.succeeded'] },
    deps: { database: coreServices.database },
    async setup({ database }) {
      await database.migrate({
        '001_tally': {
          async up(db: Kysely<unknown>) {
            await db.schema
              .createTable('tally_events')
              .addColumn('event_id', 'varchar(128)', (c) => c.primaryKey())
              .addColumn('out_trade_no', 'varchar(64)', (c) => c.notNull())
              .execute();
          },
        },
      });
      return { db: database.db as Kysely<TallySchema> };
    },
    async handle(event, { state }) {
      if (event.id === opts.poison?.()) throw new Error(`cannot tally ${event.id}`);
      const gate = opts.gate?.();
      if (gate) {
        gate.reached();
        await gate.open;
      }
      calls.oneByOne.push(event.id);
      await state.db.insertInto('tally_events').values(row(event)).execute();
    },
    ...(opts.batches === false
      ? {}
      : {
          async handleBatch(events: readonly TypedEvent[], { trx }: { trx: unknown }) {
            calls.batches += 1;
            // Written before the check on purpose: a refused batch must leave none of it behind.
            await (trx as Kysely<TallySchema>).insertInto('tally_events').values(events.map(row)).execute();
            if (events.some((e) => e.id === opts.poison?.())) throw new Error('a batch holding the poison');
            calls.batched += events.length;
          },
        }),
  })();
  return { plugin, calls };
}

/** The ids the plugin took, in id order. */
export async function tallied(db: Kysely<unknown>): Promise<string[]> {
  return (
    await (db as Kysely<TallySchema>)
      .selectFrom('tally_events')
      .select('event_id')
      .orderBy('event_id')
      .execute()
  ).map((r) => r.event_id);
}
