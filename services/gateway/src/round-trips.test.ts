// Round trips to PostgreSQL per create, counted where they leave: every query a pg client of the
// gateway sends (begin and commit included). Each is a wait of the request and a wakeup of the
// server, so this is the write path's cost on the production database: a keyed create records its
// intent with its key's claim in one statement and its result with its event and its key's answer
// in another, each shared with the creates running beside it; the outbox relay publishes a batch
// in five (begin, lock, read, mark, commit), shared by the creates whose events it holds.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';

// The pg of @paystream/db (the gateway has none of its own): its clients are the gateway's.
type Query = (...args: unknown[]) => unknown;
const { Client } = createRequire(import.meta.resolve('@paystream/db'))('pg') as {
  Client: { prototype: { query: Query } };
};
const sent: string[] = [];
let counting = false;
const query = Client.prototype.query;
// Patched before any client connects: the pool binds each client's query when it connects.
Client.prototype.query = function (this: unknown, ...args: unknown[]) {
  if (counting) {
    const first = args[0];
    sent.push(typeof first === 'string' ? first : String((first as { text?: string })?.text ?? first));
  }
  return query.apply(this, args);
};

// The request's own statements write the order (and the key); the relay's the outbox alone.
const OWN = /gateway_orders|gateway_idempotency/;
const isBoundary = (sqlText: string) => /^(begin|commit|rollback)\b/i.test(sqlText.trim());

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'postgres' });
  // Warm: the API key is remembered and every statement is prepared on some connection.
  for (let i = 0; i < 3; i++) {
    expect(
      (await h.post('/v1/payments', createBody(h.nextNo('warm')), { 'idempotency-key': `w${i}` })).status,
    ).toBe(201);
  }
  await h.settle();
});
afterAll(async () => {
  Client.prototype.query = query;
  await h?.close();
});

/** Counts what `work` sends, with the relay's background polls stopped (they run on a timer). */
async function counted(work: () => Promise<void>): Promise<string[]> {
  sent.length = 0;
  counting = true;
  try {
    await work();
    await h.relay.flush();
  } finally {
    counting = false;
  }
  return [...sent];
}

describe('round trips to PostgreSQL per create', () => {
  it('a keyed create: two statements of its own, none of them begin or commit', async () => {
    await h.relay.stop();
    const no = h.nextNo('rt');
    const statements = await counted(async () => {
      const res = await h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` });
      expect(res.status).toBe(201);
    });
    const own = statements.filter((s) => OWN.test(s));
    expect(own).toHaveLength(2);
    expect(own[0]).toMatch(/gateway_idempotency[\s\S]*gateway_orders/);
    expect(own[1]).toMatch(/update "gateway_orders"[\s\S]*paystream_outbox[\s\S]*gateway_idempotency/);
    // The relay's batch: begin, the lock, the read, the mark, commit (a short batch read all that
    // was pending: the flush ends without looking again). The read is a statement of its own, after
    // the lock: a statement's snapshot is taken when it starts, so a read in the lock's statement
    // could miss the marks of the relay that released the lock meanwhile, and publish again.
    const relay = statements.filter((s) => !OWN.test(s));
    expect(
      relay.map((s) =>
        isBoundary(s)
          ? s.trim().toLowerCase()
          : s.includes('pg_try_advisory_xact_lock')
            ? 'lock'
            : /^select/i.test(s.trim())
              ? 'read'
              : /^update/i.test(s.trim())
                ? 'mark'
                : s,
      ),
    ).toEqual(['begin', 'lock', 'read', 'mark', 'commit']);
    // The replay answers from the stored answer: the key's claim, refused, then its read.
    const replay = await counted(async () => {
      const res = await h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` });
      expect(res.status).toBe(201);
      expect(res.headers['idempotent-replayed']).toBe('true');
    });
    expect(replay.filter((s) => OWN.test(s))).toHaveLength(3);
    h.relay.start();
  });

  it('a create without a key: its intent and its result', async () => {
    const no = h.nextNo('rt-plain');
    await h.relay.stop();
    const statements = await counted(async () => {
      expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    });
    expect(statements.filter((s) => /gateway_orders/.test(s))).toHaveLength(2);
    h.relay.start();
  });

  it('at most three per create under concurrent callers, the relay and its polls included, fewer as creates share statements', async () => {
    const creates = 128;
    const callers = 16;
    let next = 0;
    const statements = await counted(async () => {
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (next < creates) {
            const no = h.nextNo(`rt-c${next++}`);
            const res = await h.post('/v1/payments', createBody(no), { 'idempotency-key': `${no}-k` });
            expect(res.status).toBe(201);
          }
        }),
      );
    });
    const perCreate = statements.length / creates;
    expect(perCreate).toBeLessThanOrEqual(3);
    // Of which the creates' own: two each at most, fewer as concurrent creates share a statement.
    const own = statements.filter((s) => /gateway_orders/.test(s));
    expect(own.length).toBeLessThan(2 * creates);
    expect(own.filter((s) => /json_to_recordset/.test(s)).length).toBeGreaterThan(0);
    console.info(
      `round trips per create, ${callers} callers: ${perCreate.toFixed(2)} (the creates' own ${(own.length / creates).toFixed(2)})`,
    );
  });
});
