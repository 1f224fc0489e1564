import { describe, expect, it } from 'vitest';
import { type AttemptResult, DEFAULT_RETRY, mayRetry, parseRetryAfter, retryDelayMs } from './retry.js';
import type { ProblemDocument } from './types.js';

const T = 'https://paystream.dev/problems/';
const problem = (p: Partial<ProblemDocument> & { status: number }, extra: Partial<AttemptResult> = {}) =>
  ({
    kind: 'problem',
    problem: { type: `${T}x`, title: 't', detail: 'd', ...p },
    replayed: false,
    retryAfterSeconds: undefined,
    ...extra,
  }) as AttemptResult;

describe('mayRetry', () => {
  it('retries no answer at all (the key makes it safe)', () => {
    expect(mayRetry({ kind: 'no_answer' }, 1)).toBe(true);
  });

  it('follows the catalog advice for upstream refusals', () => {
    expect(mayRetry(problem({ status: 502, code: '12', retry: 'safe' }), 1)).toBe(true);
    expect(mayRetry(problem({ status: 503, code: '80', retry: 'safe' }), 1)).toBe(true);
    expect(mayRetry(problem({ status: 409, code: '64', retry: 'never' }), 1)).toBe(false);
    // "Query first": the gateway queries on the next create; the client does not guess.
    expect(mayRetry(problem({ status: 502, code: '-1', retry: 'after_query' }), 1)).toBe(false);
  });

  it('never retries a replayed answer: the key already has its final answer', () => {
    expect(mayRetry(problem({ status: 502, code: '12', retry: 'safe' }, { replayed: true }), 1)).toBe(false);
  });

  it('retries a 409 on the key only while its first request is running', () => {
    const conflict = { status: 409, type: `${T}idempotency-conflict` };
    expect(mayRetry(problem(conflict), 1)).toBe(false);
    expect(mayRetry(problem(conflict, { retryAfterSeconds: 1 }), 1)).toBe(true);
    // Our own earlier attempt holds the key: the client never sends one key with two bodies.
    expect(mayRetry(problem(conflict), 2)).toBe(true);
    expect(mayRetry(problem({ status: 409, type: `${T}conflict`, code: '03', retry: 'never' }), 2)).toBe(
      false,
    );
  });

  it('retries gateway failures without an upstream code, never client errors', () => {
    expect(mayRetry(problem({ status: 500, type: 'about:blank' }), 1)).toBe(true);
    expect(mayRetry(problem({ status: 503, type: `${T}unavailable` }), 1)).toBe(true);
    expect(mayRetry(problem({ status: 429 }), 1)).toBe(true);
    for (const status of [400, 401, 403, 404, 413, 415, 501])
      expect(mayRetry(problem({ status }), 1)).toBe(false);
  });
});

describe('retryDelayMs', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect(retryDelayMs(DEFAULT_RETRY, 1, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(DEFAULT_RETRY, 3, undefined, () => 1)).toBe(400);
    expect(retryDelayMs(DEFAULT_RETRY, 10, undefined, () => 1)).toBe(2_000);
    expect(retryDelayMs(DEFAULT_RETRY, 3, undefined, () => 0.5)).toBe(200);
  });

  it("honours the gateway's Retry-After, within the cap", () => {
    expect(retryDelayMs(DEFAULT_RETRY, 1, 1)).toBe(1_000);
    expect(retryDelayMs(DEFAULT_RETRY, 1, 30)).toBe(2_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-15T08:30:00Z');
    expect(parseRetryAfter('Thu, 15 Jan 2026 08:30:05 GMT', now)).toBe(5);
  });
});
