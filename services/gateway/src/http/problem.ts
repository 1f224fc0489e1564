import type { ErrorRequestHandler } from 'express';
import {
  ClientAbortedError,
  ConflictError,
  GatewayError,
  IdempotencyConflictError,
  MalformedJsonError,
  NotificationRejectedError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UpstreamRejectedError,
  ValidationError,
} from '../errors.js';

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

/** Turns any error into a problem; unknown errors become a bare 500 that reveals nothing. */
export function toProblem(err: unknown, instance?: string): Problem {
  const error = fromExpress(err);
  if (!(error instanceof GatewayError)) {
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The gateway failed to handle the request',
      ...(instance ? { instance } : {}),
    };
  }
  const problem: Problem = {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(instance ? { instance } : {}),
  };
  if (error instanceof ValidationError) problem.errors = error.errors;
  if (error instanceof UpstreamRejectedError) {
    problem.code = error.entry.code;
    problem.category = error.entry.category;
    problem.retry = error.entry.retry;
    problem.operation = error.operation;
    // The catalog's English text is the title; the upstream's own wording, if any, the detail.
    if (!problem.detail) problem.detail = error.entry.messageEn;
  }
  if (error instanceof ConflictError && error.entry) {
    problem.code = error.entry.code;
    problem.category = error.entry.category;
  }
  if (error instanceof NotificationRejectedError) {
    problem.reason = error.reason;
    if (error.code) problem.code = error.code;
  }
  return problem;
}

/** Errors of Express, its router and body-parser, as the gateway's own classes. */
function fromExpress(err: unknown): unknown {
  if (err instanceof GatewayError) return err;
  // The router could not percent-decode a path parameter (`GET /v1/payments/%`).
  if (err instanceof URIError) {
    return new ValidationError(
      [{ field: 'path', message: 'is not valid percent-encoding' }],
      'The path is not valid',
      {
        cause: err,
      },
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
      {
        cause: err,
      },
    );
  }
  return err;
}

/** Sends a problem document. */
export function sendProblem(res: import('express').Response, problem: Problem): void {
  if (problem.status === 401 && problem.type.endsWith('/unauthorized')) {
    res.setHeader('WWW-Authenticate', 'Bearer realm="paystream"');
  }
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** The single middleware that maps errors to HTTP answers. */
export function problemMiddleware(log: {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err, instanceOf(req.originalUrl));
    // Class name and message only: errors from drivers can quote parameters.
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (fromExpress(err) instanceof ClientAbortedError) {
      // Nobody is left to answer.
      log.warn({ error }, 'client aborted the request');
      return;
    }
    if (problem.status >= 500 && !(err instanceof UpstreamRejectedError))
      log.error({ error }, 'request failed');
    if (res.headersSent) return;
    if (err instanceof IdempotencyConflictError && err.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
    }
    sendProblem(res, problem);
  };
}

export { UnauthorizedError };

/**
 * The problem's `instance`: the request's path without its query string, which may carry what a
 * caller should not have sent there (`?api_key=…`) and must not be echoed back.
 */
export function instanceOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : url.slice(0, at);
}
