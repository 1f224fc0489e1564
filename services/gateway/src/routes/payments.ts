import { type ApiKeyStore, authenticate, mount } from '@paystream/http-kit';
import { parseAmount } from '@paystream/money';
import { type RequestHandler, Router } from 'express';
import { endpoint } from '../http/endpoint.js';
import type { IdempotencyStore } from '../http/idempotency.js';
import { strictJson } from '../http/strict-json.js';
import { labelRoute } from '../http/tracing.js';
import type { RefundService } from '../payments/refunds.js';
import type { PaymentService } from '../payments/service.js';
import { createAnswer, endAnswer, readAnswer, refundAnswer } from './answers.js';
import { cancelPayment, closePayment, createPayment, getPayment, refundPayment } from './table.js';

/** A payment's state changes under the caller: no cache (browser or proxy) may keep an answer. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** /v1/payments: create, read, refund, cancel, close, as the route table declares them. */
export function paymentsRouter(deps: {
  payments: PaymentService;
  refunds: RefundService;
  idempotency: IdempotencyStore;
  keys: ApiKeyStore;
  bodyLimit: string;
}): Router {
  const { payments, refunds, idempotency } = deps;
  const router = Router();
  // The route is matched (and labelled) before the key is checked or the body read, so a refusal
  // at either is counted under the route's template.
  const front = [labelRoute, noStore, authenticate(deps.keys), strictJson(deps.bodyLimit)];

  mount(
    router,
    createPayment,
    ...front,
    endpoint(idempotency, createPayment, { foldKey: { answerOf: createAnswer } })(
      async ({ caller, body }, key) =>
        createAnswer(
          await payments.create(caller.id, { ...body, amount: parseAmount(body.amount, body.currency) }, key),
        ),
    ),
  );
  mount(
    router,
    getPayment,
    ...front,
    endpoint(
      idempotency,
      getPayment,
    )(async ({ caller, params }) => readAnswer(await payments.get(caller.id, params.outTradeNo))),
  );
  mount(
    router,
    refundPayment,
    ...front,
    endpoint(
      idempotency,
      refundPayment,
    )(async ({ caller, params, body }) =>
      refundAnswer(await refunds.refund(caller.id, params.outTradeNo, body)),
    ),
  );
  mount(
    router,
    cancelPayment,
    ...front,
    endpoint(
      idempotency,
      cancelPayment,
    )(async ({ caller, params }) => endAnswer(await payments.cancel(caller.id, params.outTradeNo))),
  );
  mount(
    router,
    closePayment,
    ...front,
    endpoint(
      idempotency,
      closePayment,
    )(async ({ caller, params }) => endAnswer(await payments.close(caller.id, params.outTradeNo))),
  );
  return router;
}
