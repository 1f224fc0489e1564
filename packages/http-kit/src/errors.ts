/** Where every problem `type` of Paystream lives: `${PROBLEM_TYPE}validation`, … */
export const PROBLEM_TYPE = 'https://paystream.dev/problems/';

/** One bad field of a request, as problem+json lists it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one error base class. It names what went wrong (`kind`, the problem type's last segment)
 * and never an HTTP status: `statusOf` in problem.ts is the one place that maps kinds to
 * statuses, so code that throws these knows nothing of HTTP. `extras` are the problem
 * document's own members (`errors`, `code`, …).
 */
export class ProblemError extends Error {
  constructor(
    readonly kind: string,
    readonly title: string,
    message: string,
    readonly extras: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed or fails validation: nothing was recorded. */
export class ValidationError extends ProblemError {
  constructor(
    readonly errors: readonly FieldError[],
    message = 'The request is not valid',
    options?: ErrorOptions,
  ) {
    super('validation', 'Invalid request', message, { errors }, options);
  }
}

export class MalformedJsonError extends ProblemError {
  constructor(options?: ErrorOptions) {
    super('malformed-json', 'Malformed JSON', 'The request body is not valid JSON', {}, options);
  }
}

export class PayloadTooLargeError extends ProblemError {
  constructor(limit: string, options?: ErrorOptions) {
    super('payload-too-large', 'Payload too large', `The body exceeds ${limit}`, {}, options);
  }
}

export class UnsupportedMediaTypeError extends ProblemError {
  constructor(message = 'Send application/json', options?: ErrorOptions) {
    super('unsupported-media-type', 'Unsupported media type', message, {}, options);
  }
}

export class UnauthorizedError extends ProblemError {
  constructor(message: string) {
    super('unauthorized', 'Unauthorized', message);
  }
}

export class ForbiddenError extends ProblemError {
  constructor(scope: string) {
    super('forbidden', 'Forbidden', `This API key lacks the scope ${scope}`);
  }
}

export class NotFoundError extends ProblemError {
  constructor(message: string) {
    super('not-found', 'Not found', message);
  }
}

/** A request that contradicts what was already recorded (e.g. an order number reused). */
export class ConflictError extends ProblemError {
  constructor(message: string, extras: Readonly<Record<string, unknown>> = {}) {
    super('conflict', 'Conflict', message, extras);
  }
}

/** Same Idempotency-Key with another body, or while the first request is still running. */
export class IdempotencyConflictError extends ProblemError {
  constructor(
    message: string,
    /** Seconds until a retry can succeed, when the first request is still running. */
    readonly retryAfterSeconds?: number,
  ) {
    super('idempotency-conflict', 'Idempotency conflict', message);
  }
}

/** The client went away before its request was read: nobody to answer, nothing changed. */
export class ClientAbortedError extends ProblemError {
  constructor(options?: ErrorOptions) {
    super('client-aborted', 'Client closed request', 'The client aborted the request', {}, options);
  }
}
