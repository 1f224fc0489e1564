import { parseAmount } from '@paystream/money';
import { Router } from 'express';
import { endpoint } from '../http/endpoint.js';
import type { IdempotencyStore } from '../http/idempotency.js';
import type { RefundService } from '../payments/refunds.js';
import type { PaymentService } from '../payments/service.js';
import { createPaymentBody, emptyBody, paymentParams, refundBody } from './schemas.js';

/** /v1/payments: create, read, refund, cancel, close. */
export function paymentsRouter(deps: {
  payments: PaymentService;
  refunds: RefundService;
  idempotency: IdempotencyStore;
}): Router {
  const { payments, refunds, idempotency } = deps;
  const router = Router();

  router.post(
    '/',
    endpoint(idempotency, {
      scope: 'payments:write',
      body: createPaymentBody,
      run: ({ caller, body }) =>
        payments.create(caller.id, { ...body, amount: parseAmount(body.amount, body.currency) }),
    }),
  );

  router.get(
    '/:outTradeNo',
    endpoint(idempotency, {
      scope: 'payments:read',
      params: paymentParams,
      run: ({ caller, params }) => payments.get(caller.id, params.outTradeNo),
    }),
  );

  router.post(
    '/:outTradeNo/refunds',
    endpoint(idempotency, {
      scope: 'refunds:write',
      params: paymentParams,
      body: refundBody,
      run: ({ caller, params, body }) => refunds.refund(caller.id, params.outTradeNo, body),
    }),
  );

  for (const action of ['cancel', 'close'] as const) {
    router.post(
      `/:outTradeNo/${action}`,
      endpoint(idempotency, {
        scope: 'payments:write',
        params: paymentParams,
        body: emptyBody.optional(),
        run: ({ caller, params }) => payments[action](caller.id, params.outTradeNo),
      }),
    );
  }
  return router;
}
