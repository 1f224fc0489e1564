import { parseAmount } from '@paystream/money';
import { type RequestHandler, Router } from 'express';
import { type ApiKeyStore, authenticate } from '../http/auth.js';
import { endpoint } from '../http/endpoint.js';
import type { IdempotencyStore } from '../http/idempotency.js';
import { strictJson } from '../http/strict-json.js';
import { labelRoute } from '../http/tracing.js';
import type { RefundService } from '../payments/refunds.js';
import type { PaymentService } from '../payments/service.js';
import { createPaymentBody, emptyBody, paymentParams, refundBody } from './schemas.js';

/** A payment's state changes under the caller: no cache (browser or proxy) may keep an answer. */
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** /v1/payments: create, read, refund, cancel, close. */
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

  router.post(
    '/',
    ...front,
    endpoint(idempotency, {
      scope: 'payments:write',
      body: createPaymentBody,
      run: ({ caller, body }) =>
        payments.create(caller.id, { ...body, amount: parseAmount(body.amount, body.currency) }),
    }),
  );

  router.get(
    '/:outTradeNo',
    ...front,
    endpoint(idempotency, {
      scope: 'payments:read',
      params: paymentParams,
      run: ({ caller, params }) => payments.get(caller.id, params.outTradeNo),
    }),
  );

  router.post(
    '/:outTradeNo/refunds',
    ...front,
    endpoint(idempotency, {
      scope: 'refunds:write',
      params: paymentParams,
      body: refundBody,
      run: ({ caller, params, body }) => refunds.refund(caller.id, params.outTradeNo, body),
    }),
  );

  router.post(
    '/:outTradeNo/cancel',
    ...front,
    endpoint(idempotency, {
      // The aggregator only cancels a paid order, and a cancel gives the money back: it is a
      // reversal, so it needs the refund scope as well.
      scope: ['payments:write', 'refunds:write'],
      params: paymentParams,
      body: emptyBody.optional(),
      run: ({ caller, params }) => payments.cancel(caller.id, params.outTradeNo),
    }),
  );

  router.post(
    '/:outTradeNo/close',
    ...front,
    endpoint(idempotency, {
      scope: 'payments:write',
      params: paymentParams,
      body: emptyBody.optional(),
      run: ({ caller, params }) => payments.close(caller.id, params.outTradeNo),
    }),
  );
  return router;
}
