import type { IdempotencyTable } from '../store/schema.js';

/**
 * A request's Idempotency-Key, written by the request's own statements instead of statements of
 * its own: claimed by the statement that records the create's intent, answered by the one that
 * records its result. Whoever finishes the request (the HTTP endpoint) reads `state` to know what
 * is left: a key still `claimed` is answered or given back there, an `answered` one is done.
 */
export interface RequestKey<O> {
  /** The row a first request writes (status 0 until answered). */
  readonly claim: IdempotencyTable;
  state: 'pending' | 'claimed' | 'answered';
  /** What the key replays when the request ends in `outcome`. */
  answerFor(outcome: O): { status: number; body: unknown };
}

/** The key must be claimed on its own (another request holds it, or may): nothing was written. */
export class KeyTakenError extends Error {
  constructor() {
    super('the Idempotency-Key is already claimed');
    this.name = 'KeyTakenError';
  }
}
