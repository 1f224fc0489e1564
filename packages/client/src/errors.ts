import type { ProblemDocument, RetryAdvice } from './types.js';

/** One bad field of a request, as the gateway names it. */
export interface FieldError {
  field: string;
  message: string;
}

/** The one error base class of the client: `name` is the subclass, `cause` is chained. */
export class PaystreamError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The gateway answered an RFC 9457 problem. For an upstream refusal `code` is the aggregator's
 * status code exactly as the appendix writes it, with its `category` and `retry` advice, and
 * `title` is the catalog's English text; a validation error lists `fieldErrors`.
 */
export class PaystreamProblemError extends PaystreamError {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly code: string | undefined;
  readonly category: string | undefined;
  readonly retry: RetryAdvice | undefined;
  /** The upstream operation a refusal came from (create, query, refund, cancel, close). */
  readonly operation: string | undefined;
  readonly fieldErrors: readonly FieldError[];
  readonly instance: string | undefined;
  /** The stored answer to an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
  /** Seconds the gateway asked to wait (`Retry-After`), when it did. */
  readonly retryAfterSeconds: number | undefined;
  readonly idempotencyKey: string | undefined;
  readonly problem: ProblemDocument;

  constructor(
    problem: ProblemDocument,
    meta: { replayed?: boolean; retryAfterSeconds?: number; idempotencyKey?: string } = {},
  ) {
    const fields = problem.errors?.map((e) => `${e.field} ${e.message}`).join('; ');
    super(
      `${problem.status} ${problem.title}${problem.code ? ` (code ${problem.code})` : ''}: ${fields || problem.detail}`,
    );
    this.problem = problem;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.code = problem.code;
    this.category = problem.category;
    this.retry = problem.retry;
    this.operation = problem.operation;
    this.fieldErrors = problem.errors ?? [];
    this.instance = problem.instance;
    this.replayed = meta.replayed ?? false;
    this.retryAfterSeconds = meta.retryAfterSeconds;
    this.idempotencyKey = meta.idempotencyKey;
  }
}

/**
 * No answer: the connection failed or the per-attempt timeout passed, on the last attempt. For a
 * mutating call the outcome is unknown (the gateway may have done it): send the call again with
 * the same `idempotencyKey`, or read the payment.
 */
export class PaystreamUnavailableError extends PaystreamError {
  constructor(
    message: string,
    readonly idempotencyKey: string | undefined,
    readonly attempts: number,
    readonly timedOut: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The caller's AbortSignal fired. For a mutating call the outcome is unknown, as above. */
export class PaystreamAbortedError extends PaystreamError {
  constructor(
    readonly idempotencyKey: string | undefined,
    options?: ErrorOptions,
  ) {
    super('The call was aborted by the caller', options);
  }
}

/** The gateway answered something that is not the contract (not JSON, no problem document). */
export class PaystreamProtocolError extends PaystreamError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
