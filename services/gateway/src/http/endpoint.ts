import {
  type AnswerOf,
  type InputOf,
  instanceOf,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  parseRequest,
  type RouteSpec,
  sendProblem,
  toProblem,
} from '@paystream/http-kit';
import type { RequestHandler } from 'express';
import { UpstreamRejectedError } from '../errors.js';
import { type IdempotencyStore, parseIdempotencyKey, requestHash } from './idempotency.js';
import { gatewayStatusOf } from './statuses.js';

/**
 * One API endpoint of the route table, in the order that keeps bad requests traceless: scope,
 * then validation of path and body (nothing reaches the upstream or the outbox before both pass),
 * then the Idempotency-Key (a replay answers from the store), then the work. An answer whose
 * outcome is unknown (202) or a gateway failure gives the key back, so a retry runs again.
 */
export function endpoint<T extends RouteSpec>(
  idempotency: IdempotencyStore,
  spec: T,
): (run: (input: InputOf<T>) => Promise<AnswerOf<T>>) => RequestHandler {
  return (run) => async (req, res, next) => {
    let claimed: { caller: string; key: string } | undefined;
    try {
      const input = parseRequest(spec, req);
      const key = req.method === 'POST' ? parseIdempotencyKey(req.get('idempotency-key')) : undefined;
      if (key) {
        const hash = requestHash(req.method, req.path, req.body);
        const stored = await idempotency.claim(input.caller.id, key, hash);
        if (stored) {
          res.setHeader('Idempotent-Replayed', 'true');
          if (stored.status >= 400)
            res.status(stored.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(stored.body));
          else res.status(stored.status).json(stored.body);
          return;
        }
        claimed = { caller: input.caller.id, key };
      }

      const answer = await run(input);
      if (claimed) {
        if (answer.status === 202) await idempotency.release(claimed.caller, claimed.key);
        else await idempotency.complete(claimed.caller, claimed.key, answer);
      }
      res.status(answer.status).json(answer.body);
    } catch (err) {
      if (!claimed) return next(err);
      try {
        const problem = toProblem(err, instanceOf(req.originalUrl), gatewayStatusOf);
        // A refusal (by the upstream or by the gateway's rules) is final and replays; a crash is not.
        const final =
          err instanceof UpstreamRejectedError || (err instanceof ProblemError && problem.status < 500);
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
