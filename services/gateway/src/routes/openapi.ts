import { z } from 'zod';
import {
  createPaymentBody,
  outTradeNoSchema,
  paymentResource,
  problemSchema,
  refundBody,
  refundResource,
} from './schemas.js';

const json = (schema: z.ZodType) => ({
  'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
});
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const errors = {
  '400': problem('Invalid request: `errors` names each bad field; nothing was recorded'),
  '401': problem('Missing or invalid API key'),
  '403': problem('The API key lacks the scope'),
  '409': problem('Idempotency-Key reused with another body, or outTradeNo already used'),
  '4XX': problem('Upstream refusal: `code` and `category` from the status-code catalog'),
  '5XX': problem('Upstream or gateway failure: `code` when the upstream gave one'),
};
const security = (scope: string) => [{ apiKey: [scope] }];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Same key and body replays the first answer; another body answers 409',
  schema: { type: 'string', maxLength: 255 },
};
const outTradeNo = {
  name: 'outTradeNo',
  in: 'path',
  required: true,
  schema: z.toJSONSchema(outTradeNoSchema),
};
const payment = (status: string, description: string) => ({
  [status]: {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Payment' } } },
  },
});
const pending = {
  '202': {
    description:
      'The upstream did not answer and a query could not tell yet: outcome unknown, nothing is retried',
  },
};

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paystream gateway',
      version: '1.0.0',
      description:
        'Payments through the aggregator. Money is a decimal string in major units plus an ISO currency.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key>' },
      },
      schemas: {
        Payment: z.toJSONSchema(paymentResource, { io: 'input' }),
        Refund: z.toJSONSchema(refundResource, { io: 'input' }),
        Problem: z.toJSONSchema(problemSchema, { io: 'input' }),
      },
    },
    paths: {
      '/v1/payments': {
        post: {
          operationId: 'createPayment',
          security: security('payments:write'),
          parameters: [idempotencyKey],
          requestBody: { required: true, content: json(createPaymentBody) },
          responses: {
            ...payment('201', 'Created upstream'),
            ...payment('200', 'Already created'),
            ...pending,
            ...errors,
          },
        },
      },
      '/v1/payments/{outTradeNo}': {
        get: {
          operationId: 'getPayment',
          security: security('payments:read'),
          parameters: [outTradeNo],
          responses: { ...payment('200', 'The payment, refreshed from the upstream'), ...errors },
        },
      },
      '/v1/payments/{outTradeNo}/refunds': {
        post: {
          operationId: 'refundPayment',
          security: security('refunds:write'),
          parameters: [outTradeNo, idempotencyKey],
          requestBody: { required: true, content: json(refundBody) },
          responses: {
            '201': {
              description: 'Refunded',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Refund' } } },
            },
            ...pending,
            ...errors,
          },
        },
      },
      ...Object.fromEntries(
        (['cancel', 'close'] as const).map((action) => [
          `/v1/payments/{outTradeNo}/${action}`,
          {
            post: {
              operationId: `${action}Payment`,
              security: security('payments:write'),
              parameters: [outTradeNo, idempotencyKey],
              responses: {
                ...payment('200', action === 'cancel' ? 'Canceled' : 'Closed'),
                ...pending,
                ...errors,
              },
            },
          },
        ]),
      ),
      '/v1/notifications/upstream': {
        post: {
          operationId: 'upstreamNotify',
          description: "The aggregator's signed notify callback (signature and clock window verified)",
          responses: {
            '200': { description: 'Recorded' },
            '401': problem('Forged or stale callback'),
            '409': problem('Replayed callback'),
          },
        },
      },
      '/healthz': { get: { responses: { '200': { description: 'The process is up' } } } },
      '/readyz': {
        get: {
          responses: {
            '200': { description: 'Upstream, bus and database reachable' },
            '503': { description: 'Not ready' },
          },
        },
      },
      '/metrics': { get: { responses: { '200': { description: 'Prometheus metrics' } } } },
      '/openapi.json': { get: { responses: { '200': { description: 'This document' } } } },
    },
  };
}
