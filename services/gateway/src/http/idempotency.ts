import { createHash } from 'node:crypto';
import type { RetainedTable } from '@paystream/bus';
import { preparedQuery, writeOne } from '@paystream/db';
import { IdempotencyConflictError, ValidationError } from '@paystream/http-kit';
import type { Db } from '../store/orders.js';
import type { IdempotencyTable } from '../store/schema.js';

/** The Idempotency-Key table. */
export const IDEMPOTENCY_TABLE = 'gateway_idempotency';

/**
 * Keys kept `retentionMs` (IDEMPOTENCY_KEY_RETENTION_MS, at least 24 hours) from their first
 * request, for the gateway's pruner. A key past it is forgotten: the same key then runs as a new
 * request, which `outTradeNo` and `refundNo` still keep from happening twice. A claim whose
 * request never finished is long stale by then (older than the worst-case request).
 */
export function idempotencyKeysRetained(retentionMs: number): RetainedTable {
  return { table: IDEMPOTENCY_TABLE, column: 'created_at', retentionMs };
}

/** What was answered to the first request with a key. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Validates the Idempotency-Key header (optional; when given it must be 1-255 visible ASCII). */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header)) {
    throw new ValidationError([
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return header;
}

/** A digest of what the request asks for: method, path and the body with its keys sorted. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

// The statements every keyed request runs, built and compiled once.
const insertClaim = preparedQuery((db: Db, row: IdempotencyTable) =>
  db.insertInto('gateway_idempotency').values(row),
);
const selectClaim = preparedQuery((db: Db, v: { caller: string; key: string }) =>
  db.selectFrom('gateway_idempotency').selectAll().where('caller', '=', v.caller).where('key', '=', v.key),
);
const storeAnswer = preparedQuery(
  (db: Db, v: { caller: string; key: string; status: number; body: string }) =>
    db
      .updateTable('gateway_idempotency')
      .set({ status: v.status, body: v.body })
      .where('caller', '=', v.caller)
      .where('key', '=', v.key),
);
const deleteClaim = preparedQuery((db: Db, v: { caller: string; key: string }) =>
  db
    .deleteFrom('gateway_idempotency')
    .where('caller', '=', v.caller)
    .where('key', '=', v.key)
    .where('status', '=', 0),
);

/**
 * Idempotency-Key handling: the first request with a key claims it (a row with status 0), runs,
 * and stores its answer. The same key with the same request replays that answer; with another
 * request it is a 409; while the first is still running, a 409 with Retry-After. A claim older
 * than the worst-case request time belongs to a request that died with its process: the retry
 * takes it over and runs again, and the run settles whatever intent that request left by a query.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    /** How long a request can possibly run (upstream deadline plus its settling query). */
    private readonly staleAfterMs: number,
  ) {}

  /** The row that claims `key` for a first request (status 0 until it is answered). */
  newClaim(caller: string, key: string, hash: string, now = this.now()): IdempotencyTable {
    return { caller, key, request_hash: hash, status: 0, body: null, created_at: now.toISOString() };
  }

  /** Claims the key, or returns the stored answer to replay. */
  async claim(caller: string, key: string, hash: string): Promise<StoredAnswer | undefined> {
    const now = this.now();
    try {
      const claim = this.newClaim(caller, key, hash, now);
      await writeOne(this.db, (db) => insertClaim(db, claim));
      return undefined;
    } catch (err) {
      const row = (await selectClaim(this.db, { caller, key })).rows[0];
      if (!row) throw err;
      if (row.request_hash !== hash) {
        throw new IdempotencyConflictError('This Idempotency-Key was used with a different request');
      }
      if (row.status !== 0)
        return { status: row.status, body: row.body === null ? null : JSON.parse(row.body) };
      const age = now.getTime() - Date.parse(row.created_at);
      if (age >= this.staleAfterMs) {
        // Only one retry wins the takeover: the update matches the claim it read.
        const taken = await this.db
          .updateTable('gateway_idempotency')
          .set({ created_at: now.toISOString() })
          .where('caller', '=', caller)
          .where('key', '=', key)
          .where('status', '=', 0)
          .where('created_at', '=', row.created_at)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 1) return undefined;
      }
      throw new IdempotencyConflictError(
        'A request with this Idempotency-Key is still being processed',
        Math.max(1, Math.ceil((this.staleAfterMs - Math.max(0, age)) / 1000)),
      );
    }
  }

  async complete(caller: string, key: string, answer: StoredAnswer): Promise<void> {
    const stored = { caller, key, status: answer.status, body: JSON.stringify(answer.body) };
    await writeOne(this.db, (db) => storeAnswer(db, stored));
  }

  /** Gives the key back: the answer was not final (unknown outcome, gateway failure). */
  async release(caller: string, key: string): Promise<void> {
    await writeOne(this.db, (db) => deleteClaim(db, { caller, key }));
  }
}
