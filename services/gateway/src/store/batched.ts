// PostgreSQL's group commit for the create's two statements (one-statement.ts): concurrent
// requests' claims share one statement, and so do their results. Each statement is a round trip, a
// wakeup of a server process and a commit (a WAL flush), and those, not the rows, were most of
// what a create cost the server; batched, they are paid once for every request waiting.
import { OUTBOX_TABLE, type OutboxRow } from '@paystream/bus';
import { type Compilable, preparedQuery, type RawBuilder, sql, statementBatch } from '@paystream/db';
import type { KeyAnswer } from './one-statement.js';
import type { Db, Order } from './orders.js';
import type { IdempotencyTable, OrdersTable } from './schema.js';

/** Every column a result writes, by name: all of the row but its key and what the write advances. */
const WRITTEN = [
  'caller',
  'amount_minor',
  'currency',
  'wallet',
  'status',
  'upstream_trade_no',
  'qr_code_url',
  'pay_url',
  'description',
  'notify_url',
  'metadata',
  'refunded_minor',
  'last_code',
  'created_at',
  'updated_at',
  'paid_at',
  'intent',
  'intent_at',
  'query_code',
] as const satisfies readonly (keyof OrdersTable)[];

// A column added to the table and not to WRITTEN fails to compile here, rather than being left as it was.
type Unwritten = Exclude<
  keyof OrdersTable,
  (typeof WRITTEN)[number] | 'out_trade_no' | 'sequence' | 'version'
>;
const everyColumnWritten: [Unwritten] extends [never] ? true : Unwritten = true;
void everyColumnWritten;

export interface ClaimInput {
  claim: IdempotencyTable;
  order: Order;
}

export interface ClaimResult {
  claimed: boolean;
  inserted: boolean;
}

// Each member's claim, and its order where the claim succeeded. Within a batch no two members
// share a key or an order number (statementBatch keeps them apart), so a member's outcome is
// whether its own key and its own order came back.
const claimMany = preparedQuery((db: Db, v: { members: string }) =>
  compilable(
    db,
    sql<{ i: number; claimed: boolean; inserted: boolean }>`with v as (
      select m.i, m.caller, m.key, m.no, m.claim, m.ord
      from json_to_recordset(${v.members}::json) as m(i int, caller text, key text, no text, claim json, ord json)
    ),
    claim as (
      insert into gateway_idempotency (caller, key, request_hash, status, body, created_at)
      select c.caller, c.key, c.request_hash, c.status, c.body, c.created_at
      from v cross join lateral json_populate_record(null::gateway_idempotency, v.claim) c
      on conflict (caller, key) do nothing
      returning caller, key
    ),
    ins as (
      insert into gateway_orders
      select o.* from v
      join claim on claim.caller = v.caller and claim.key = v.key
      cross join lateral json_populate_record(null::gateway_orders, v.ord) o
      on conflict (out_trade_no) do nothing
      returning out_trade_no
    )
    select v.i,
      exists (select 1 from claim where claim.caller = v.caller and claim.key = v.key) as claimed,
      exists (select 1 from ins where ins.out_trade_no = v.no) as inserted
    from v order by v.i`,
  ),
);

export interface SaveInput {
  order: Order;
  expected: number;
  rows: readonly OutboxRow[];
  answer?: KeyAnswer | undefined;
}

export type SaveResult = { sequence: number; version: number } | undefined;

const assignments = sql.raw(WRITTEN.map((c) => `${c} = r.${c}`).join(', '));

// Each member's compare-and-set (as saveWithEvents), its events in the outbox in member order and
// then sequence order, and its key's answer: the last two only for the members whose row was written.
//
// Planned anew each time (an unnamed statement, not a prepared one): a plan cached while the orders
// table was small joins it by scanning it whole, and kept on reading every row of a growing table
// for each batch (a bench run: 1,371 such scans in 20 s). The `limit` tells the planner how many
// members there are (it assumes 100 rows of any set-returning function), so it looks each order
// up by its key.
const saveMany = (db: Db, members: string, count: number) =>
  sql<{ i: number; sequence: number | null; version: number | null }>`with v as (
      select m.*
      from json_to_recordset(${members}::json)
        as m(i int, no text, expected int, events int, ord json, rows json,
          a_caller text, a_key text, a_status int, a_body text)
      limit ${count}
    ),
    o as (
      update gateway_orders g set ${assignments}, sequence = g.sequence + v.events, version = g.version + 1
      from v cross join lateral json_populate_record(null::gateway_orders, v.ord) r
      where g.out_trade_no = v.no and g.version = v.expected
      returning g.out_trade_no, g.sequence, g.version
    ),
    e as (
      insert into ${sql.table(OUTBOX_TABLE)} (event_id, type, subject, payload, created_at)
      select x.event_id, x.type, x.subject, x.payload, x.created_at
      from v join o on o.out_trade_no = v.no
      cross join lateral json_populate_recordset(null::${sql.table(OUTBOX_TABLE)}, v.rows) with ordinality x
      order by v.i, x.ordinality
    ),
    k as (
      update gateway_idempotency k set status = v.a_status, body = v.a_body
      from v join o on o.out_trade_no = v.no
      where v.a_caller is not null and k.caller = v.a_caller and k.key = v.a_key
    )
    select v.i, o.sequence, o.version from v left join o on o.out_trade_no = v.no
    order by v.i`.execute(db);

/** A raw statement in the form preparedQuery compiles. */
function compilable<O>(db: Db, statement: RawBuilder<O>): Compilable<O> {
  return { compile: () => statement.compile(db) };
}

export interface Batched {
  claim(input: ClaimInput): Promise<ClaimResult>;
  save(input: SaveInput): Promise<SaveResult>;
}

const byDatabase = new WeakMap<Db, Batched>();

/** The statements a request alone runs: the same as before batching, so it pays nothing for it. */
export interface Alone {
  claim(db: Db, input: ClaimInput): Promise<ClaimResult>;
  save(db: Db, input: SaveInput): Promise<SaveResult>;
}

/** The batched statements of a database handle. */
export function batchedFor(db: Db, alone: Alone): Batched {
  let batched = byDatabase.get(db);
  if (batched) return batched;
  batched = {
    claim: statementBatch<ClaimInput, ClaimResult>({
      one: (input) => alone.claim(db, input),
      keys: (m) => [`key:${m.claim.caller}:${m.claim.key}`, `order:${m.order.out_trade_no}`],
      async many(inputs) {
        const members = JSON.stringify(
          inputs.map((m, i) => ({
            i,
            caller: m.claim.caller,
            key: m.claim.key,
            no: m.order.out_trade_no,
            claim: m.claim,
            ord: m.order,
          })),
        );
        const { rows } = await claimMany(db, { members });
        return rows.map((r) => ({ claimed: r.claimed, inserted: r.inserted }));
      },
    }),
    save: statementBatch<SaveInput, SaveResult>({
      one: (input) => alone.save(db, input),
      keys: (m) => [
        `order:${m.order.out_trade_no}`,
        ...(m.answer ? [`key:${m.answer.caller}:${m.answer.key}`] : []),
      ],
      async many(inputs) {
        const members = JSON.stringify(
          inputs.map((m, i) => ({
            i,
            no: m.order.out_trade_no,
            expected: m.expected,
            events: m.rows.length,
            ord: m.order,
            rows: m.rows,
            a_caller: m.answer?.caller,
            a_key: m.answer?.key,
            a_status: m.answer?.status,
            a_body: m.answer?.body,
          })),
        );
        const { rows } = await saveMany(db, members, inputs.length);
        return rows.map((r) =>
          r.sequence === null || r.version === null
            ? undefined
            : { sequence: r.sequence, version: r.version },
        );
      },
    }),
  };
  byDatabase.set(db, batched);
  return batched;
}
