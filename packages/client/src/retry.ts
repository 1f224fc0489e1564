import type { ProblemDocument } from './types.js';

/** How often and how patiently a call is sent again. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 4; 1 turns retries off. */
  attempts: number;
  /** First backoff; doubles per attempt, with full jitter. Default 100 ms. */
  baseDelayMs: number;
  /** Longest wait between attempts, `Retry-After` included. Default 2000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 100, maxDelayMs: 2_000 };

/** What one attempt produced, as far as retrying is concerned. */
export type AttemptResult =
  | { kind: 'no_answer' }
  | {
      kind: 'problem';
      problem: ProblemDocument;
      replayed: boolean;
      retryAfterSeconds: number | undefined;
    };

const IDEMPOTENCY_CONFLICT = /\/idempotency-conflict$/;

/**
 * Whether the same call (same body, same Idempotency-Key) may be sent again:
 * - no answer (connection failed, timeout): yes; the key makes a mutating call safe to repeat
 *   and the gateway queries the aggregator before it calls it again;
 * - a replayed answer: no, the key's first request already had this final answer;
 * - 409 on the key: only while its first request is still running (`Retry-After`, or our own
 *   earlier attempt holds the key: the client never sends one key with two bodies);
 * - an upstream refusal: only when the catalog's advice is `safe`;
 * - a 5xx without an upstream code: yes, the gateway failed and gave the key back.
 */
export function mayRetry(result: AttemptResult, attempt: number): boolean {
  if (result.kind === 'no_answer') return true;
  const { problem, replayed } = result;
  if (replayed) return false;
  if (problem.status === 409 && IDEMPOTENCY_CONFLICT.test(problem.type)) {
    return result.retryAfterSeconds !== undefined || attempt > 1;
  }
  if (problem.code !== undefined) return problem.retry === 'safe';
  if (problem.status === 429) return true;
  return problem.status >= 500 && problem.status !== 501;
}

/** The wait before attempt `attempt + 1`: the gateway's `Retry-After`, else jittered backoff. */
export function retryDelayMs(
  options: RetryOptions,
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterSeconds !== undefined) return Math.min(options.maxDelayMs, retryAfterSeconds * 1000);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * random());
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
