import type { Scope } from '@paystream/config';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import {
  type FieldError,
  GatewayError,
  UnsupportedMediaTypeError,
  UpstreamRejectedError,
  ValidationError,
} from '../errors.js';
import type { Answer } from '../payments/service.js';
import { type Caller, requireScope } from './auth.js';
import { type IdempotencyStore, parseIdempotencyKey, requestHash } from './idempotency.js';
import { instanceOf, PROBLEM_CONTENT_TYPE, sendProblem, toProblem } from './problem.js';

/** zod issues as the API's `errors` array; each unknown field is named on its own. */
export function fieldErrors(error: z.ZodError, where?: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = [...(where ? [where] : []), ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: path.join('.') || '(body)', message: issue.message }];
  });
}

export interface EndpointSpec<P extends z.ZodType, B extends z.ZodType> {
  /** Every scope the caller must hold. */
  scope: Scope | readonly Scope[];
  params?: P;
  body?: B;
  run(input: { caller: Caller; params: z.output<P>; body: z.output<B>; req: Request }): Promise<Answer>;
}

/**
 * One API endpoint, in the order that keeps bad requests traceless: scope, then validation of
 * path and body (nothing reaches the upstream or the outbox before both pass), then the
 * Idempotency-Key (a replay answers from the store), then the work. An answer whose outcome is
 * unknown (202) or a gateway failure gives the key back, so a retry runs again.
 */
export function endpoint<P extends z.ZodType, B extends z.ZodType>(
  idempotency: IdempotencyStore,
  spec: EndpointSpec<P, B>,
): RequestHandler {
  return async (req, res, next) => {
    let claimed: { caller: string; key: string } | undefined;
    try {
      const [first, ...more]: readonly Scope[] = typeof spec.scope === 'string' ? [spec.scope] : spec.scope;
      const caller = requireScope(req, first!);
      for (const scope of more) requireScope(req, scope);
      const params = spec.params ? spec.params.safeParse(req.params) : undefined;
      const errors: FieldError[] = params && !params.success ? fieldErrors(params.error) : [];
      let body: unknown;
      if (spec.body) {
        const hasBody =
          Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
        if (req.body === undefined && hasBody && !req.is('application/json'))
          throw new UnsupportedMediaTypeError();
        const parsed = spec.body.safeParse(req.body);
        if (!parsed.success) errors.push(...fieldErrors(parsed.error));
        else body = parsed.data;
      }
      if (errors.length > 0) throw new ValidationError(errors);

      const key = req.method === 'POST' ? parseIdempotencyKey(req.get('idempotency-key')) : undefined;
      if (key) {
        const hash = requestHash(req.method, req.path, req.body);
        const stored = await idempotency.claim(caller.id, key, hash);
        if (stored) {
          res.setHeader('Idempotent-Replayed', 'true');
          if (stored.status >= 400)
            res.status(stored.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(stored.body));
          else res.status(stored.status).json(stored.body);
          return;
        }
        claimed = { caller: caller.id, key };
      }

      const answer = await spec.run({
        caller,
        params: (params?.success ? params.data : {}) as z.output<P>,
        body: body as z.output<B>,
        req,
      });
      if (claimed) {
        if (answer.status === 202) await idempotency.release(claimed.caller, claimed.key);
        else await idempotency.complete(claimed.caller, claimed.key, answer);
      }
      res.status(answer.status).json(answer.body);
    } catch (err) {
      if (!claimed) return next(err);
      // A refusal (by the upstream or by the gateway's rules) is final and replays; a crash is not.
      const final = err instanceof UpstreamRejectedError || (err instanceof GatewayError && err.status < 500);
      try {
        const problem = toProblem(err, instanceOf(req.originalUrl));
        if (final)
          await idempotency.complete(claimed.caller, claimed.key, { status: problem.status, body: problem });
        else await idempotency.release(claimed.caller, claimed.key);
        if (final) return sendProblem(res, problem);
      } catch (storeErr) {
        return next(storeErr);
      }
      next(err);
    }
  };
}
