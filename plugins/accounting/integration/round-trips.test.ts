// How many round trips to PostgreSQL a batch of the ledger costs, counted on the wire: every
// message the host's connections send to the server is read, and each Sync (the end of one
// statement of the extended protocol) or simple Query is one round trip, begin and commit included.
// A payment's way into the ledger waits for each of them in turn, so the number is held exactly.
import net from 'node:net';
import { orderEvents, runId, startTestHost, type TestHost } from '@paystream/plugin-testing';
import { afterEach, expect, it } from 'vitest';
import { createAccountingPlugin } from '../src/index.js';

/**
 * Round trips per batch transaction: begin; one read (the ids done, the orders' sequences, the
 * ledger's entries booked under the batch's ids or facts); one write (the ids done, the sequences,
 * the ledger's reported events, orders, entries, postings, outbox rows and balances); commit. It
 * was 13, one per statement, before the host sent a batch's reads and writes together. A process's
 * first batch has one more: the column types of the tables it inserts into, read once.
 */
const ROUND_TRIPS_PER_BATCH = 4;

interface Wire {
  /** Statements each connection sent, in order: the SQL text, one per round trip. */
  readonly sent: Map<net.Socket, string[]>;
  stop(): void;
}

const STARTUP_CODES = new Set([196608, 80877103, 80877102]);

/** Reads what this process writes to the PostgreSQL server on `port` (its frontend messages). */
function watchWire(port: number): Wire {
  const sent = new Map<net.Socket, string[]>();
  const pending = new Map<net.Socket, { buf: Buffer; parsed: string }>();
  const feed = (socket: net.Socket, chunk: Buffer) => {
    const state = pending.get(socket) ?? { buf: Buffer.alloc(0), parsed: '' };
    pending.set(socket, state);
    let buf = Buffer.concat([state.buf, chunk]);
    for (;;) {
      // A startup, SSL or cancel request has no type byte.
      if (buf.length >= 8 && STARTUP_CODES.has(buf.readInt32BE(4))) {
        const length = buf.readInt32BE(0);
        if (buf.length < length) break;
        buf = buf.subarray(length);
        continue;
      }
      if (buf.length < 5) break;
      const type = String.fromCharCode(buf[0]!);
      const total = 1 + buf.readInt32BE(1);
      if (buf.length < total) break;
      const body = buf.subarray(5, total);
      const list = sent.get(socket) ?? [];
      sent.set(socket, list);
      if (type === 'Q') list.push(body.toString('utf8', 0, body.indexOf(0)));
      else if (type === 'P') {
        // Parse: the statement's name, then its text.
        const nameEnd = body.indexOf(0);
        state.parsed = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
      } else if (type === 'S') {
        list.push(state.parsed);
        state.parsed = '';
      }
      buf = buf.subarray(total);
    }
    state.buf = Buffer.from(buf);
  };
  const write = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (this.remotePort === port && Buffer.isBuffer(chunk)) feed(this, chunk);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
  return {
    sent,
    stop: () => {
      net.Socket.prototype.write = write;
    },
  };
}

/** The transactions that booked a batch: begin to commit, holding the host's processed-ids insert. */
function batchTransactions(wire: Wire): string[][] {
  const batches: string[][] = [];
  for (const statements of wire.sent.values()) {
    let open: string[] | undefined;
    for (const sql of statements) {
      if (/^begin\b/i.test(sql)) open = [];
      if (!open) continue;
      open.push(sql);
      if (/^(commit|rollback)\b/i.test(sql)) {
        if (open.some((s) => s.includes('insert into "paystream_processed_events"'))) batches.push(open);
        open = undefined;
      }
    }
  }
  return batches;
}

let t: TestHost | undefined;
let wire: Wire | undefined;
afterEach(async () => {
  wire?.stop();
  wire = undefined;
  await t?.close();
  t = undefined;
});

it('books a batch of 50 orders (created + succeeded) in a fixed number of round trips', async () => {
  t = await startTestHost({
    plugins: [createAccountingPlugin({ reconcileIntervalMs: 0, dailyReconciliation: false })],
    database: 'postgres',
  });
  const port = Number(new URL(process.env.PAYSTREAM_TEST_PG_URL ?? 'postgres://127.0.0.1:5432').port || 5432);
  const prefix = runId();
  // A process's first batch also reads, once, the column types of the tables it inserts into.
  await t.publish(orderEvents(`${prefix}-first`));
  wire = watchWire(port);
  const events = Array.from({ length: 50 }, (_, i) => orderEvents(`${prefix}-${i}`)).flat();
  await t.publish(events);
  await t.settle();
  const batches = batchTransactions(wire);
  const shown = JSON.stringify(
    batches.map((b) => b.map((s) => s.slice(0, 90))),
    null,
    2,
  );
  // Usually one batch holds them all; however the bus cut the run, each batch costs the same.
  expect(batches.length, shown).toBeGreaterThan(0);
  for (const batch of batches) expect(batch, shown).toHaveLength(ROUND_TRIPS_PER_BATCH);
  const rows = await t.database.db
    .selectFrom('ledger_entries' as never)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  expect(Number(rows.n)).toBe(51);
});
