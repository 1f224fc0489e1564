// The writes of a create's happy path, each one round trip to PostgreSQL. A create used to pay
// about seven sequential round trips there (the key's claim, the intent, begin, the order's update,
// the outbox insert, commit, the key's answer), and each is a wait of the event loop and a wakeup
// of the server; on PostgreSQL one data-modifying CTE writes several tables atomically, without a
// transaction of its own. SQLite has no data-modifying CTEs and no round trips (it runs in the
// process): there the same rows are written by plain statements that share the group commit.
import { OUTBOX_TABLE, type OutboxRow } from '@paystream/bus';
import { isPostgres, preparedQuery, sql, writeOne } from '@paystream/db';
import { type Alone, batchedFor, type SaveInput, type SaveResult } from './batched.js';
import { type Db, insertOrder, type Order, type Trx } from './orders.js';
import type { IdempotencyTable } from './schema.js';

/** What {@link claimKeyAndInsert} did: the key and the order are new; or the key is; or neither. */
export type ClaimAndInsert = 'inserted' | 'order-exists' | 'key-taken';

// The key's claim and the order's intent. The order is written only when the key was claimed: a
// request whose key another request holds must leave no trace. json_populate_record gives each
// column of the row its type by name (a bare parameter in an INSERT … SELECT would be text).
const claimThenInsert = preparedQuery((db: Db, v: IdempotencyTable & { order: string }) =>
  db
    .with('claim', (qc) =>
      qc
        .insertInto('gateway_idempotency')
        .values({
          caller: v.caller,
          key: v.key,
          request_hash: v.request_hash,
          status: v.status,
          body: v.body,
          created_at: v.created_at,
        })
        .onConflict((oc) => oc.columns(['caller', 'key']).doNothing())
        .returning('key'),
    )
    .with(
      'ins',
      () =>
        sql<{ out_trade_no: string }>`(insert into gateway_orders
          select * from json_populate_record(null::gateway_orders, ${v.order}::json)
          where exists (select 1 from claim)
          on conflict (out_trade_no) do nothing
          returning out_trade_no)`,
    )
    .selectNoFrom((eb) => [
      eb
        .selectFrom('claim')
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('claimed'),
      eb
        .selectFrom('ins')
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('inserted'),
    ]),
);

/**
 * Claims an Idempotency-Key and, if it got it, inserts a new order (a create's intent) unless its
 * number is taken: one statement on PostgreSQL. On SQLite the two statements share one commit; a
 * refused insert leaves the claim, as a refusal after the claim's own commit did.
 */
export async function claimKeyAndInsert(
  db: Db,
  claim: IdempotencyTable,
  order: Order,
): Promise<ClaimAndInsert> {
  if (isPostgres(db)) {
    const { claimed, inserted } = await batchedFor(db, ALONE).claim({ claim, order });
    if (!claimed) return 'key-taken';
    return inserted ? 'inserted' : 'order-exists';
  }
  return writeOne(db, async (d) => {
    const claimed = await insertClaimIfFree(d, claim);
    if (claimed.rows.length === 0) return 'key-taken';
    return (await insertOrder(d, order)) ? 'inserted' : 'order-exists';
  });
}

const insertClaimIfFree = preparedQuery((db: Db, row: IdempotencyTable) =>
  db
    .insertInto('gateway_idempotency')
    .values(row)
    .onConflict((oc) => oc.columns(['caller', 'key']).doNothing())
    .returning('key'),
);

/** The answer a request's Idempotency-Key replays, stored with the change that produced it. */
export interface KeyAnswer {
  caller: string;
  key: string;
  status: number;
  body: string;
}

type SaveValues = Omit<Order, 'sequence' | 'version'> & {
  events: number;
  expected: number;
  rows: string;
  answer_caller?: string;
  answer_key?: string;
  answer_status?: number;
  answer_body?: string;
};

// (Kysely puts a raw CTE's text as it is: the parentheses are the statement's own.)
// Compare-and-set of the order (as `saveOrderIf`), its events into the outbox and the key's answer:
// the last two only if the first wrote the row. Events keep their order (`with ordinality`), so
// their outbox positions follow their sequence numbers.
const saveWithEvents = preparedQuery((db: Db, v: SaveValues) => {
  const {
    out_trade_no,
    events,
    expected,
    rows,
    answer_caller,
    answer_key,
    answer_status,
    answer_body,
    ...rest
  } = v;
  const withOutbox = db
    .with('o', (qc) =>
      qc
        .updateTable('gateway_orders')
        .set((eb) => ({ ...rest, sequence: eb('sequence', '+', events), version: eb('version', '+', 1) }))
        .where('out_trade_no', '=', out_trade_no)
        .where('version', '=', expected)
        .returning(['sequence', 'version']),
    )
    .with(
      'e',
      () =>
        sql`(insert into ${sql.table(OUTBOX_TABLE)} (event_id, type, subject, payload, created_at)
          select r.event_id, r.type, r.subject, r.payload, r.created_at
          from json_populate_recordset(null::${sql.table(OUTBOX_TABLE)}, ${rows}::json) with ordinality r
          where exists (select 1 from o)
          order by r.ordinality)`,
    );
  if (answer_caller === undefined) return withOutbox.selectFrom('o').select(['sequence', 'version']);
  return withOutbox
    .with('k', (qc) =>
      qc
        .updateTable('gateway_idempotency')
        .set({ status: answer_status!, body: answer_body! })
        .where('caller', '=', answer_caller)
        .where('key', '=', answer_key!)
        .where(({ exists, selectFrom }) => exists(selectFrom('o').select(sql.lit(1).as('one')))),
    )
    .selectFrom('o')
    .select(['sequence', 'version']);
});

/**
 * PostgreSQL only: writes the order if its version is still `expected` (as `saveOrderIf`), and
 * with it, in the same statement, its events' outbox rows and the key's answer. Answers the
 * sequence and version written, or undefined when another write came first (then nothing was
 * written: the caller falls back to a transaction that reads the row again under lock).
 * Concurrent requests' saves share a statement (batched.ts).
 */
export function saveOrderWithEvents(
  db: Db,
  order: Order,
  expected: number,
  rows: readonly OutboxRow[],
  answer?: KeyAnswer,
): Promise<SaveResult> {
  return batchedFor(db, ALONE).save({ order, expected, rows, answer });
}

/** The statements of a request that has no others to share them with. */
const ALONE: Alone = {
  async claim(db, { claim, order }) {
    const row = (await claimThenInsert(db, { ...claim, order: JSON.stringify(order) })).rows[0];
    return { claimed: Number(row?.claimed ?? 0) > 0, inserted: Number(row?.inserted ?? 0) === 1 };
  },
  save: saveAlone,
};

async function saveAlone(db: Db, { order, expected, rows, answer }: SaveInput): Promise<SaveResult> {
  const { sequence: _sequence, version: _version, ...rest } = order;
  const values: SaveValues = { ...rest, events: rows.length, expected, rows: JSON.stringify(rows) };
  if (answer) {
    values.answer_caller = answer.caller;
    values.answer_key = answer.key;
    values.answer_status = answer.status;
    values.answer_body = answer.body;
  }
  return (await saveWithEvents(db, values)).rows[0];
}

const updateKeyAnswer = preparedQuery((db: Db, v: KeyAnswer) =>
  db
    .updateTable('gateway_idempotency')
    .set({ status: v.status, body: v.body })
    .where('caller', '=', v.caller)
    .where('key', '=', v.key),
);

/** Stores a key's answer inside the transaction of the change it answers (SQLite, or a retried change). */
export async function storeKeyAnswer(trx: Trx, answer: KeyAnswer): Promise<void> {
  await updateKeyAnswer(trx, answer);
}
