// PostgreSQL's group commit of the create's statements: requests asked for together share one
// statement, and each gets the outcome it would have had alone.
import { createRequire } from 'node:module';
import { type Database, type Kysely, openDatabase } from '@paystream/db';
import { createPostgresTestDatabase, type TestDatabase } from '@paystream/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { orderRow } from '../__fixtures__/order-row.js';
import { prepareDatabase } from '../database.js';
import { claimKeyAndInsert, saveOrderWithEvents } from './one-statement.js';
import { findOrder, type Order } from './orders.js';
import type { GatewaySchema, IdempotencyTable } from './schema.js';

type Query = (...args: unknown[]) => unknown;
const { Client } = createRequire(import.meta.resolve('@paystream/db'))('pg') as {
  Client: { prototype: { query: Query } };
};
const sent: string[] = [];
const query = Client.prototype.query;
Client.prototype.query = function (this: unknown, ...args: unknown[]) {
  const first = args[0];
  sent.push(typeof first === 'string' ? first : String((first as { text?: string })?.text ?? first));
  return query.apply(this, args);
};

const NOW = '2026-01-01T00:00:00.000Z';

const order = (no: string) => orderRow(no, NOW, { intent: 'create', intent_at: NOW });

const claim = (key: string): IdempotencyTable => ({
  caller: 'checkout',
  key,
  request_hash: `hash-${key}`,
  status: 0,
  body: null,
  created_at: NOW,
});

const outbox = (no: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    event_id: `${no}-e${i + 1}`,
    type: 'payment.created',
    subject: no,
    payload: JSON.stringify({ no, sequence: i + 1 }),
    created_at: NOW,
  }));

let test: TestDatabase;
let database: Database<GatewaySchema>;
let db: Kysely<GatewaySchema>;
beforeAll(async () => {
  test = await createPostgresTestDatabase();
  database = openDatabase<GatewaySchema>({ url: test.url });
  db = database.db;
  await prepareDatabase(db as never);
});
afterAll(async () => {
  Client.prototype.query = query;
  await database?.destroy();
  await test?.drop();
});
beforeEach(() => {
  sent.length = 0;
});

const keyOf = async (key: string) =>
  db.selectFrom('gateway_idempotency').selectAll().where('key', '=', key).executeTakeFirst();
const batchedStatements = () => sent.filter((s) => /json_to_recordset/.test(s)).length;

describe('the create statements on PostgreSQL, asked for together', () => {
  it('claims share one statement, and each request gets the outcome it would have had alone', async () => {
    expect(await claimKeyAndInsert(db, claim('taken'), order('c-taken'))).toBe('inserted');
    sent.length = 0;
    const asked: [string, string][] = [
      ['c1', 'c-1'],
      ['c2', 'c-2'],
      ['c3', 'c-3'],
      ['taken', 'c-taken-again'],
      ['dup', 'c-dup-1'],
      ['dup', 'c-dup-2'],
      ['n1', 'c-same'],
      ['n2', 'c-same'],
    ];
    const outcomes = await Promise.all(
      asked.map(([key, no]) => claimKeyAndInsert(db, claim(key), order(no))),
    );
    expect(outcomes).toEqual([
      'inserted',
      'inserted',
      'inserted',
      'key-taken',
      'inserted',
      'key-taken',
      'inserted',
      'order-exists',
    ]);
    // Eight requests in fewer statements than eight; the second of a key or of an order number
    // waits for a statement after the first's.
    expect(batchedStatements()).toBeGreaterThan(0);
    expect(sent.filter((s) => /gateway_idempotency/.test(s)).length).toBeLessThan(asked.length);
    for (const no of ['c-1', 'c-2', 'c-3', 'c-dup-1', 'c-same'])
      expect(await findOrder(db, no)).toBeDefined();
    for (const no of ['c-taken-again', 'c-dup-2']) expect(await findOrder(db, no)).toBeUndefined();
    // A claim that found its order number taken keeps the key, as the statement alone does.
    expect(await keyOf('n2')).toMatchObject({ status: 0 });
  });

  it('results share one statement: each row at its own version, its events in order, its key answered', async () => {
    const nos = ['s-1', 's-2', 's-3', 's-4'];
    for (const no of nos) expect(await claimKeyAndInsert(db, claim(`k-${no}`), order(no))).toBe('inserted');
    sent.length = 0;
    const paid = (no: string): Order => ({ ...order(no), status: 'paid', intent: null, intent_at: null });
    const answer = (no: string) => ({
      caller: 'checkout',
      key: `k-${no}`,
      status: 201,
      body: `{"no":"${no}"}`,
    });
    const saved = await Promise.all([
      saveOrderWithEvents(
        db,
        { ...paid('s-1'), sequence: 2, version: 1 },
        0,
        outbox('s-1', 2),
        answer('s-1'),
      ),
      saveOrderWithEvents(db, { ...paid('s-2'), sequence: 1, version: 1 }, 0, outbox('s-2', 1)),
      // Computed from a version the row no longer has: nothing of it is written.
      saveOrderWithEvents(
        db,
        { ...paid('s-3'), sequence: 1, version: 6 },
        5,
        outbox('s-3', 1),
        answer('s-3'),
      ),
      saveOrderWithEvents(
        db,
        { ...paid('s-4'), sequence: 1, version: 1 },
        0,
        outbox('s-4', 1),
        answer('s-4'),
      ),
    ]);
    expect(saved).toEqual([
      { sequence: 2, version: 1 },
      { sequence: 1, version: 1 },
      undefined,
      { sequence: 1, version: 1 },
    ]);
    expect(batchedStatements()).toBeGreaterThan(0);
    expect(await findOrder(db, 's-1')).toMatchObject({
      status: 'paid',
      sequence: 2,
      version: 1,
      intent: null,
    });
    expect(await findOrder(db, 's-3')).toMatchObject({ status: 'pending', sequence: 0, version: 0 });
    const events = await (
      db as unknown as Kysely<{ paystream_outbox: { subject: string; event_id: string; position: number } }>
    )
      .selectFrom('paystream_outbox')
      .select(['subject', 'event_id'])
      .where('subject', 'in', nos)
      .orderBy('position')
      .execute();
    expect(events.filter((e) => e.subject === 's-1').map((e) => e.event_id)).toEqual(['s-1-e1', 's-1-e2']);
    expect(events.map((e) => e.subject).sort()).toEqual(['s-1', 's-1', 's-2', 's-4']);
    expect(await keyOf('k-s-1')).toMatchObject({ status: 201, body: '{"no":"s-1"}' });
    expect(await keyOf('k-s-4')).toMatchObject({ status: 201 });
    expect(await keyOf('k-s-3')).toMatchObject({ status: 0, body: null });
  });

  it('a batch one request breaks runs each again alone: that request fails, the others are written', async () => {
    const bad = { ...claim('bad'), status: 'not a number' as unknown as number };
    const outcomes = await Promise.allSettled([
      claimKeyAndInsert(db, claim('ok-1'), order('b-1')),
      claimKeyAndInsert(db, bad, order('b-bad')),
      claimKeyAndInsert(db, claim('ok-2'), order('b-2')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/integer/);
    expect(await findOrder(db, 'b-1')).toBeDefined();
    expect(await findOrder(db, 'b-2')).toBeDefined();
    expect(await findOrder(db, 'b-bad')).toBeUndefined();
    expect(await keyOf('bad')).toBeUndefined();
  });
});
