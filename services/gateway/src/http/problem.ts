import type { ErrorRequestHandler } from 'express';
import {
  ConflictError,
  GatewayError,
  MalformedJsonError,
  NotificationRejectedError,
  PayloadTooLargeError,
  UnauthorizedError,
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

/** body-parser's errors, as the gateway's own classes. */
function fromExpress(err: unknown): unknown {
  const e = err as { type?: string; limit?: number } | undefined;
  if (e?.type === 'entity.parse.failed') return new MalformedJsonError({ cause: err });
  if (e?.type === 'entity.too.large')
    return new PayloadTooLargeError(`${e.limit ?? ''} bytes`, { cause: err });
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new ValidationError(
      [{ field: '(body)', message: 'unsupported encoding' }],
      'Unsupported encoding',
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
export function problemMiddleware(log: { error(obj: object, msg?: string): void }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err, req.originalUrl);
    if (problem.status >= 500 && !(err instanceof UpstreamRejectedError)) {
      // Class name and message only: errors from drivers can quote parameters.
      log.error(
        { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        'request failed',
      );
    }
    if (res.headersSent) return;
    sendProblem(res, problem);
  };
}

export { UnauthorizedError };
