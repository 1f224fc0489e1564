import type { CatalogEntry } from '@paystream/codes';

/** One bad field of a request, as problem+json lists it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one error base class: `name` is the subclass name, `cause` is chained, and the problem
 * middleware (http/problem.ts) is the only place that turns these into HTTP answers.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly title: string;
  readonly type: string;
  constructor(status: number, type: string, title: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
    this.title = title;
    this.type = type;
  }
}

const TYPE = 'https://paystream.dev/problems/';

/** The request is malformed or fails validation: nothing was recorded, nothing left the gateway. */
export class ValidationError extends GatewayError {
  constructor(
    readonly errors: readonly FieldError[],
    message = 'The request is not valid',
    options?: ErrorOptions,
  ) {
    super(400, `${TYPE}validation`, 'Invalid request', message, options);
  }
}

export class MalformedJsonError extends GatewayError {
  constructor(options?: ErrorOptions) {
    super(400, `${TYPE}malformed-json`, 'Malformed JSON', 'The request body is not valid JSON', options);
  }
}

export class PayloadTooLargeError extends GatewayError {
  constructor(limit: string, options?: ErrorOptions) {
    super(413, `${TYPE}payload-too-large`, 'Payload too large', `The body exceeds ${limit}`, options);
  }
}

export class UnsupportedMediaTypeError extends GatewayError {
  constructor(message = 'Send application/json', options?: ErrorOptions) {
    super(415, `${TYPE}unsupported-media-type`, 'Unsupported media type', message, options);
  }
}

export class UnauthorizedError extends GatewayError {
  constructor(message: string) {
    super(401, `${TYPE}unauthorized`, 'Unauthorized', message);
  }
}

export class ForbiddenError extends GatewayError {
  constructor(scope: string) {
    super(403, `${TYPE}forbidden`, 'Forbidden', `This API key lacks the scope ${scope}`);
  }
}

export class NotFoundError extends GatewayError {
  constructor(message: string) {
    super(404, `${TYPE}not-found`, 'Not found', message);
  }
}

/** Same Idempotency-Key with another body, or while the first request is still running. */
export class IdempotencyConflictError extends GatewayError {
  constructor(
    message: string,
    /** Seconds until a retry can succeed, when the first request is still running. */
    readonly retryAfterSeconds?: number,
  ) {
    super(409, `${TYPE}idempotency-conflict`, 'Idempotency conflict', message);
  }
}

/** The client went away before its request was read: nobody to answer, nothing changed. */
export class ClientAbortedError extends GatewayError {
  constructor(options?: ErrorOptions) {
    super(499, `${TYPE}client-aborted`, 'Client closed request', 'The client aborted the request', options);
  }
}

/** A request that contradicts what the gateway already recorded (e.g. an outTradeNo reused). */
export class ConflictError extends GatewayError {
  constructor(
    message: string,
    readonly entry?: CatalogEntry,
  ) {
    super(409, `${TYPE}conflict`, 'Conflict', message);
  }
}

/** The upstream answered a code other than 00: status, code and category come from the catalog. */
export class UpstreamRejectedError extends GatewayError {
  constructor(
    readonly entry: CatalogEntry,
    detail: string,
    readonly operation: string,
  ) {
    super(entry.httpStatus, `${TYPE}upstream-${entry.code}`, entry.messageEn, detail);
  }
}

/** The notify callback failed verification (signature, clock window, replay). */
export class NotificationRejectedError extends GatewayError {
  constructor(
    readonly reason: string,
    message: string,
    readonly code?: string,
    status = 401,
  ) {
    super(status, `${TYPE}notification-rejected`, 'Notification rejected', message);
  }
}

/** A dependency the request needs is down (database, bus). */
export class UnavailableError extends GatewayError {
  constructor(message: string, options?: ErrorOptions) {
    super(503, `${TYPE}unavailable`, 'Service unavailable', message, options);
  }
}
