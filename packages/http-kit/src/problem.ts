import type { ErrorRequestHandler, Response } from 'express';
import {
  ClientAbortedError,
  IdempotencyConflictError,
  MalformedJsonError,
  PayloadTooLargeError,
  PROBLEM_TYPE,
  ProblemError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code?: string;
  category?: string;
  retry?: string;
  errors?: readonly { field: string; message: string }[];
  [extra: string]: unknown;
}

/**
 * The status of a service's own problem kinds (an upstream refusal, say), or undefined for the
 * kinds every service shares.
 */
export type StatusOf = (error: ProblemError) => number | undefined;

/** The status of each kind every service shares. */
export const STATUS_OF_KIND: Readonly<Record<string, number>> = {
  validation: 400,
  'malformed-json': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'idempotency-conflict': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'client-aborted': 499,
};

/** The one mapping of errors to HTTP statuses. */
export function statusOf(error: ProblemError, own?: StatusOf): number {
  return own?.(error) ?? STATUS_OF_KIND[error.kind] ?? 500;
}

/** Turns any error into a problem; unknown errors become a bare 500 that reveals nothing. */
export function toProblem(err: unknown, instance?: string, own?: StatusOf): Problem {
  const error = fromExpress(err);
  if (!(error instanceof ProblemError)) {
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The gateway failed to handle the request',
      ...(instance ? { instance } : {}),
    };
  }
  return {
    type: `${PROBLEM_TYPE}${error.kind}`,
    title: error.title,
    status: statusOf(error, own),
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...error.extras,
  };
}

/** Errors of Express, its router and body-parser, as problem errors. */
export function fromExpress(err: unknown): unknown {
  if (err instanceof ProblemError) return err;
  // The router could not percent-decode a path parameter (`GET /v1/payments/%`).
  if (err instanceof URIError) {
    return new ValidationError(
      [{ field: 'path', message: 'is not valid percent-encoding' }],
      'The path is not valid',
      { cause: err },
    );
  }
  const e = err as
    | { type?: string; limit?: number; encoding?: string; status?: unknown; key?: string }
    | undefined;
  switch (e?.type) {
    case 'entity.parse.failed':
      return new MalformedJsonError({ cause: err });
    case 'entity.duplicate.key':
      return new ValidationError(
        [{ field: e.key ?? '(body)', message: 'appears more than once in its object' }],
        'The request body repeats a key',
        { cause: err },
      );
    case 'entity.too.large':
      return new PayloadTooLargeError(`${e.limit ?? ''} bytes`, { cause: err });
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError('Send the body uncompressed (Content-Encoding: identity)', {
        cause: err,
      });
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('Send the body in UTF-8', { cause: err });
    case 'request.aborted':
      return new ClientAbortedError({ cause: err });
  }
  // Anything else body-parser refuses (a corrupt compressed body, a length that lies) is the
  // client's fault: http-errors gives it a 4xx status.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ValidationError(
      [{ field: '(body)', message: 'could not be read' }],
      'The request body could not be read',
      { cause: err },
    );
  }
  return err;
}

/** Sends a problem document. */
export function sendProblem(res: Response, problem: Problem): void {
  if (problem.status === 401 && problem.type === `${PROBLEM_TYPE}unauthorized`) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="paystream"');
  }
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** The single middleware that maps errors to HTTP answers. */
export function problemMiddleware(
  log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void },
  own?: StatusOf,
): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const error = fromExpress(err);
    // Class name and message only: errors from drivers can quote parameters.
    const said = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (error instanceof ClientAbortedError) {
      // Nobody is left to answer.
      log.warn({ error: said }, 'client aborted the request');
      return;
    }
    // A problem error is an answer the service chose; anything else is a failure to look at.
    if (!(error instanceof ProblemError)) log.error({ error: said }, 'request failed');
    if (res.headersSent) return;
    if (error instanceof IdempotencyConflictError && error.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    sendProblem(res, toProblem(error, instanceOf(req.originalUrl), own));
  };
}

/**
 * The problem's `instance`: the request's path without its query string, which may carry what a
 * caller should not have sent there (`?api_key=…`) and must not be echoed back.
 */
export function instanceOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}
