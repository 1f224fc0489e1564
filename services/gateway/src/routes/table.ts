// The gateway's HTTP contract, written once: the Express routes are mounted from these entries
// (routes/payments.ts, notifications.ts, health.ts), /openapi.json is generated from them
// (routes/openapi.ts), and each handler's answer is typed by its entry's response schemas.
import { type Responses, route } from '@paystream/http-kit';
import { z } from 'zod';
import { paymentResource, refundResource } from '../payments/views.js';
import {
  NOW,
  notifyExample,
  paymentExample,
  refundExample,
  refundPending,
  unknownCreate,
} from './examples.js';
import {
  conflict,
  example,
  failure,
  forbidden,
  merge,
  notFound,
  tooLarge,
  unauthorized,
  unsupported,
  upstreamRefusals,
  validation,
} from './problems.js';
import { createPaymentBody, emptyBody, notifyAck, paymentParams, readiness, refundBody } from './schemas.js';

const noStore = {
  'Cache-Control': {
    description: 'Payment answers are never cached',
    schema: { type: 'string', examples: ['no-store'] },
  },
};
const replayed = {
  ...noStore,
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'One key per logical request, reused on its retries: the same key and body replays the first final answer (`Idempotent-Replayed: true`); another body answers 409. A 202 or a gateway failure gives the key back. A key is kept at least 24 hours from its first request (IDEMPOTENCY_KEY_RETENTION_MS), then forgotten: the same request then runs again, and `outTradeNo` or `refundNo` still answers the stored payment or refund instead of creating another.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  example: '7f0c1d2e-9a4b-4c55-8e1f-0a2b3c4d5e6f',
};
const traceparent = {
  name: 'traceparent',
  in: 'header',
  required: false,
  description: "W3C trace context: the gateway's spans and the events join the caller's trace",
  schema: { type: 'string' },
  example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

const payment = (
  description: string,
  examples: Record<string, unknown>,
  headers: Record<string, unknown> = replayed,
) => ({
  description,
  schema: paymentResource,
  ref: 'Payment',
  examples,
  headers,
});
const refund = (description: string, examples: Record<string, unknown>) => ({
  description,
  schema: refundResource,
  ref: 'Refund',
  examples,
  headers: replayed,
});
const UNKNOWN =
  'Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: ';

/** A cancel's or close's unknown outcome says so in `outcome`, as a refund's does. */
export const paymentOutcomeUnknown = paymentResource.extend({
  outcome: z.literal('unknown'),
  detail: z.string().meta({ description: 'Why the outcome is unknown' }),
});

export const createPayment = route({
  operationId: 'createPayment',
  method: 'post',
  path: '/v1/payments',
  scope: 'payments:write',
  summary: 'Create a payment',
  description:
    'Creates the order upstream and answers its QR code and pay URL. `amount` is a decimal string of 0.02 to 60000 in major units. The same create again (same body) answers the stored payment with 200; an `outTradeNo` used for another body is 409 `03`.',
  tags: ['payments'],
  headers: [idempotencyKey, traceparent],
  body: createPaymentBody,
  requestBody: {
    required: true,
    example: { outTradeNo: 'order-1001', amount: '12.34', currency: 'HKD', wallet: 'WECHATHK' },
  },
  responses: {
    200: payment('Already created with this body', { again: paymentExample }),
    201: payment('Created upstream', { created: paymentExample }),
    202: payment(
      `${UNKNOWN}send the same create again (same Idempotency-Key) or read the payment; the gateway queries before creating again, so there is no double charge`,
      { unknown: unknownCreate },
      noStore,
    ),
  },
  problems: merge(
    {
      400: validation([
        { field: 'amount', message: 'must be a non-negative decimal string such as "12.34"' },
        {
          field: 'wallet',
          message: 'Invalid option: expected one of "WECHATCN"|"WECHATHK"|"ALIPAYCN"|"ALIPAYHK"',
        },
      ]),
      401: unauthorized,
      403: forbidden('payments:write'),
      409: conflict('; or the `outTradeNo` is already used for another payment (`code: "03"`)', {
        outTradeNoUsed: example(409, 'conflict', 'Conflict', 'outTradeNo order-1001 is already used', {
          code: '03',
          category: 'duplicate',
        }),
      }),
      413: tooLarge,
      415: unsupported,
    },
    upstreamRefusals('create'),
    { 500: failure },
  ),
});

export const getPayment = route({
  operationId: 'getPayment',
  method: 'get',
  path: '/v1/payments/:outTradeNo',
  scope: 'payments:read',
  summary: 'Read a payment',
  description:
    'The stored payment, refreshed by a query to the aggregator; a change there is recorded with its events. When the aggregator cannot be asked, the stored record with `stale: true` (and `queryCode` when the query was refused).',
  tags: ['payments'],
  headers: [traceparent],
  params: paymentParams,
  responses: {
    200: payment(
      'The payment',
      {
        paid: { ...paymentExample, status: 'paid', paidAt: NOW },
        stale: { ...paymentExample, stale: true, queryCode: '-1', detail: 'query answered -1' },
      },
      noStore,
    ),
    202: payment(
      `${UNKNOWN}a create whose outcome is unknown is not visible upstream yet; read again later`,
      { unknown: { ...unknownCreate, detail: 'the upstream does not show the order yet' } },
      noStore,
    ),
  },
  problems: merge(
    {
      400: validation([{ field: 'outTradeNo', message: 'must be 1 to 64 characters' }]),
      401: unauthorized,
      403: forbidden('payments:read'),
      404: notFound,
    },
    upstreamRefusals('query'),
    { 500: failure },
  ),
});

export const refundPayment = route({
  operationId: 'refundPayment',
  method: 'post',
  path: '/v1/payments/:outTradeNo/refunds',
  scope: 'refunds:write',
  summary: 'Refund part or all of a paid payment',
  description:
    'Refunds `amount` (more than 0.00) of a paid payment; refunds add up to at most the payment. The same `refundNo` and amount again answers the stored refund with 200; another amount is 409 `14`.',
  tags: ['payments'],
  headers: [idempotencyKey, traceparent],
  params: paymentParams,
  body: refundBody,
  requestBody: { required: true, example: { refundNo: 'order-1001-r1', amount: '2.00' } },
  responses: {
    200: refund('Already refunded with this refundNo', { again: refundExample }),
    201: refund('Refunded', { refunded: refundExample }),
    202: {
      ...refund(
        `${UNKNOWN}the refund is \`pending\`; send the same refund again (same refundNo) or read the payment; the gateway queries before refunding again`,
        { unknown: refundPending },
      ),
      headers: noStore,
    },
  },
  problems: merge(
    {
      400: validation([
        { field: 'amount', message: 'must be a non-negative decimal string such as "12.34"' },
      ]),
      401: unauthorized,
      403: forbidden('refunds:write'),
      404: notFound,
      409: conflict('; or the `refundNo` was used for another amount (`code: "14"`)', {
        refundNoUsed: example(
          409,
          'conflict',
          'Conflict',
          'refundNo order-1001-r1 was used for another amount',
          {
            code: '14',
            category: 'duplicate',
          },
        ),
      }),
      413: tooLarge,
      415: unsupported,
    },
    upstreamRefusals('refund'),
    { 500: failure },
  ),
});

const endAction = <A extends 'cancel' | 'close'>(action: A) =>
  route({
    operationId: `${action}Payment`,
    method: 'post',
    path: `/v1/payments/:outTradeNo/${action}`,
    // The aggregator only cancels a paid order, and a cancel gives the money back: it is a
    // reversal, so it needs the refund scope as well.
    scope: action === 'cancel' ? (['payments:write', 'refunds:write'] as const) : 'payments:write',
    summary: action === 'cancel' ? 'Cancel (reverse in full) a payment' : 'Close an unpaid payment',
    description:
      action === 'cancel'
        ? 'Reverses a paid payment upstream in full. It gives the money back, so it needs `refunds:write` as well as `payments:write`.'
        : 'Closes an unpaid order created the same (Hong Kong) day, so it can no longer be paid.',
    tags: ['payments'],
    headers: [idempotencyKey, traceparent],
    params: paymentParams,
    body: emptyBody.optional(),
    requestBody: {
      required: false,
      description: 'No body, or an empty JSON object',
      schema: { type: 'object', additionalProperties: false },
      example: {},
    },
    responses: {
      200: payment(action === 'cancel' ? 'Canceled' : 'Closed', {
        [action]: { ...paymentExample, status: action === 'cancel' ? 'canceled' : 'closed' },
      }),
      202: {
        description: `${UNKNOWN}read the payment (GET) to learn it; the request was not sent twice`,
        schema: paymentOutcomeUnknown,
        ref: 'PaymentOutcomeUnknown',
        examples: {
          unknown: {
            ...paymentExample,
            outcome: 'unknown',
            detail: `${action} timed out; the query timed out`,
          },
        },
        headers: noStore,
      },
    },
    problems: merge(
      {
        400: validation([{ field: 'outTradeNo', message: 'must be 1 to 64 characters' }]),
        401: unauthorized,
        403: forbidden(action === 'cancel' ? 'payments:write and refunds:write' : 'payments:write'),
        404: notFound,
        409: conflict('; or the payment was paid after it was closed or canceled: refund it instead'),
        413: tooLarge,
        415: unsupported,
      },
      upstreamRefusals(action),
      { 500: failure },
    ),
  });

export const cancelPayment = endAction('cancel');
export const closePayment = endAction('close');

const refused = (status: number, description: string, name: string, detail: string, extra: object) => ({
  [status]: {
    description,
    examples: {
      [name]: example(
        status,
        'notification-rejected',
        'Notification rejected',
        `Notification refused: ${detail}`,
        extra,
      ),
    },
  },
});

export const receiveUpstreamNotification = route({
  operationId: 'receiveUpstreamNotification',
  method: 'post',
  path: '/v1/notifications/upstream',
  scope: null,
  summary: "Receive the aggregator's notify callback",
  description:
    'Called by the aggregator, not by services. Verified on the raw bytes before anything is read: JSON, timestamp format, clock window, signature and `User_Confirm_Key` (in the body, as the aggregator signs it; no API key). Then the order must exist and amount and currency match. Every refusal records nothing.',
  tags: ['notifications'],
  requestBody: {
    required: true,
    schema: { type: 'object', description: 'The signed notification (see docs/upstream-api.openapi.yaml)' },
    example: notifyExample,
  },
  responses: {
    200: {
      description: 'Recorded (or recorded before: the acknowledgement is repeated)',
      schema: notifyAck,
      ref: 'NotifyAck',
      examples: { ack: { code: '00', msg: 'SUCCESS' } },
    },
  },
  problems: {
    ...refused(
      400,
      'The body is not JSON, its timestamp is malformed (`13`, `-13`), or amount or currency differ from the order',
      'malformed',
      'body is not JSON',
      { reason: 'malformed', code: '-13' },
    ),
    ...refused(401, 'Bad signature (`10`) or outside the clock window (`12`)', 'signature', 'bad signature', {
      reason: 'bad_signature',
      code: '10',
    }),
    ...refused(404, 'No such order (`31`)', 'unknownOrder', 'no such order', {
      reason: 'unknown_order',
      code: '31',
    }),
    413: tooLarge,
    415: {
      description:
        'A compressed body (`Content-Encoding: gzip`, `br`, …): the signature covers the plain bytes',
      examples: {
        encoded: example(
          415,
          'unsupported-media-type',
          'Unsupported media type',
          'Send the body uncompressed',
        ),
      },
    },
    500: failure,
  },
});

/** The probes, metrics and this document: GET, no API key. */
const operation = <const R extends Responses>(
  operationId: string,
  path: string,
  summary: string,
  responses: R,
) => route({ operationId, method: 'get', path, scope: null, summary, tags: ['operations'], responses });

const ready = (description: string, example: unknown) => ({
  description,
  schema: readiness,
  ref: 'Ready',
  examples: { [description.startsWith('Ready') ? 'ready' : 'notReady']: example },
});

export const getHealth = operation('getHealth', '/healthz', 'Liveness: the process answers', {
  200: {
    description: 'The process is up',
    schema: z.object({ status: z.literal('ok') }),
    examples: { ok: { status: 'ok' } },
  },
});

export const getReadiness = operation(
  'getReadiness',
  '/readyz',
  'Readiness: upstream, bus and database reachable',
  {
    200: ready('Ready', {
      status: 'ready',
      checks: { database: { ok: true }, bus: { ok: true }, upstream: { ok: true } },
    }),
    503: ready('Not ready: `checks` says which dependency', {
      status: 'not_ready',
      checks: { database: { ok: true }, bus: { ok: true }, upstream: { ok: false, detail: 'ECONNREFUSED' } },
    }),
  },
);

export const getMetrics = operation(
  'getMetrics',
  '/metrics',
  'Prometheus metrics of every component in the process',
  {
    200: {
      description: 'Prometheus text exposition format',
      schema: z.string(),
      contentType: 'text/plain',
      examples: {
        exposition: 'paystream_upstream_requests_total{operation="create",code="00",category="success"} 1\n',
      },
    },
  },
);

export const getOpenApiDocument = operation('getOpenApiDocument', '/openapi.json', 'This document', {
  200: {
    description: 'The OpenAPI 3.1 document',
    schema: z.record(z.string(), z.unknown()),
    examples: { document: { openapi: '3.1.0' } },
  },
});

/** Every route of the gateway, in the document's order. */
export const GATEWAY_ROUTES = [
  createPayment,
  getPayment,
  refundPayment,
  cancelPayment,
  closePayment,
  receiveUpstreamNotification,
  getHealth,
  getReadiness,
  getMetrics,
  getOpenApiDocument,
] as const;
