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
import { KeyTakenError, type RequestKey } from '../payments/request-key.js';
import { type IdempotencyStore, parseIdempotencyKey, requestHash } from './idempotency.js';
import { gatewayStatusOf } from './statuses.js';

/** Options of {@link endpoint}. */
export interface EndpointOptions<O, A> {
  /**
   * The route's work claims and answers the Idempotency-Key in its own statements (a create:
   * see {@link RequestKey}); `answerOf` is how it maps its outcome to the answer, so the answer it
   * stores is the one sent.
   */
  foldKey?: { answerOf: (outcome: O) => A };
}

/**
 * One API endpoint of the route table, in the order that keeps bad requests traceless: scope,
 * then validation of path and body (nothing reaches the upstream or the outbox before both pass),
 * then the Idempotency-Key (a replay answers from the store), then the work. An answer whose
 * outcome is unknown (202) or a gateway failure gives the key back, so a retry runs again.
 *
 * With `foldKey`, the work is handed the key to claim with its first write and answer with its
 * last. When the key is already held, it writes nothing and throws {@link KeyTakenError}, and the
 * key takes the usual path: replayed, refused, or taken over and then run.
 */
export function endpoint<T extends RouteSpec, O = never>(
  idempotency: IdempotencyStore,
  spec: T,
  options: EndpointOptions<O, AnswerOf<T>> = {},
): (run: (input: InputOf<T>, key?: RequestKey<O>) => Promise<AnswerOf<T>>) => RequestHandler {
  return (run) => async (req, res, next) => {
    let claimed: { caller: string; key: string } | undefined;
    let folded: RequestKey<O> | undefined;
    // The key this request holds, however it was claimed.
    const held = () =>
      claimed ??
      (folded && folded.state === 'claimed'
        ? { caller: folded.claim.caller, key: folded.claim.key }
        : undefined);
    try {
      const input = parseRequest(spec, req);
      const key = req.method === 'POST' ? parseIdempotencyKey(req.get('idempotency-key')) : undefined;
      const hash = key ? requestHash(req.method, req.path, req.body) : '';
      const claimFirst = async (k: string): Promise<boolean> => {
        const stored = await idempotency.claim(input.caller.id, k, hash);
        if (stored) {
          res.setHeader('Idempotent-Replayed', 'true');
          if (stored.status >= 400)
            res.status(stored.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(stored.body));
          else res.status(stored.status).json(stored.body);
          return false;
        }
        claimed = { caller: input.caller.id, key: k };
        return true;
      };

      let answer: AnswerOf<T>;
      const fold = options.foldKey;
      if (key && fold) {
        folded = {
          claim: idempotency.newClaim(input.caller.id, key, hash),
          state: 'pending',
          answerFor: (outcome) => {
            const a = fold.answerOf(outcome);
            return { status: a.status, body: a.body };
          },
        };
        try {
          answer = await run(input, folded);
        } catch (err) {
          if (!(err instanceof KeyTakenError)) throw err;
          folded = undefined;
          if (!(await claimFirst(key))) return;
          answer = await run(input);
        }
      } else {
        if (key && !(await claimFirst(key))) return;
        answer = await run(input);
      }
      const open = held();
      if (open) {
        if (answer.status === 202) await idempotency.release(open.caller, open.key);
        else await idempotency.complete(open.caller, open.key, answer);
      }
      res.status(answer.status).json(answer.body);
    } catch (err) {
      const open = held();
      if (!open) return next(err);
      try {
        const problem = toProblem(err, instanceOf(req.originalUrl), gatewayStatusOf);
        // A refusal (by the upstream or by the gateway's rules) is final and replays; a crash is not.
        const final =
          err instanceof UpstreamRejectedError || (err instanceof ProblemError && problem.status < 500);
        if (final)
          await idempotency.complete(open.caller, open.key, { status: problem.status, body: problem });
        else await idempotency.release(open.caller, open.key);
        if (final) return sendProblem(res, problem);
      } catch (storeErr) {
        return next(storeErr);
      }
      next(err);
    }
  };
}
