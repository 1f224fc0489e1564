// The gateway's contract, generated from the zod schemas that validate requests and from the
// status-code catalog, so every status a route can answer is listed from the same source the
// gateway answers from. packages/client lints it (redocly, recommended rules) and validates it
// against the OpenAPI 3.1 schema, and generates its types from it.
import { catalog, type Operation } from '@paystream/codes';
import { z } from 'zod';
import {
  createPaymentBody,
  outTradeNoSchema,
  paymentResource,
  problemSchema,
  refundBody,
  refundResource,
} from './schemas.js';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const PROBLEM_TYPE = 'https://paystream.dev/problems/';
const NOW = '2026-01-15T08:30:00.000Z';

const paymentExample = {
  outTradeNo: 'order-1001',
  status: 'pending',
  amount: '12.34',
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundedAmount: '0.00',
  upstreamTradeNo: 'T20260115163000000001',
  qrCodeUrl: 'weixin://wxpay/bizpayurl?pr=abc123',
  payUrl: 'https://pay.example/T20260115163000000001',
  lastCode: '00',
  createdAt: NOW,
  updatedAt: NOW,
  refunds: [],
};
const refundExample = {
  outTradeNo: 'order-1001',
  refundNo: 'order-1001-r1',
  status: 'succeeded',
  amount: '2.00',
  currency: 'HKD',
  refundedAmount: '2.00',
  upstreamRefundNo: 'R20260115170000000001',
  refundedAt: NOW,
  lastCode: '00',
};

const problemExample = (status: number, slug: string, title: string, detail: string, extra: Json = {}) => ({
  type: `${PROBLEM_TYPE}${slug}`,
  title,
  status,
  detail,
  instance: '/v1/payments/order-1001',
  ...extra,
});

function problem(description: string, examples: Record<string, Json>, headers?: Json): Json {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: {
      'application/problem+json': {
        schema: ref('Problem'),
        examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])),
      },
    },
  };
}

function body(schema: Json, examples: Record<string, unknown>, description: string, headers?: Json): Json {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: {
      'application/json': {
        schema,
        examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])),
      },
    },
  };
}

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

/** Upstream refusals: per HTTP status, the catalog codes an operation can answer with it. */
function upstreamRefusals(operation: Operation): Json {
  const byStatus = new Map<number, Set<string>>();
  for (const entry of catalog) {
    if (entry.code === '00' || !entry.operations.includes(operation)) continue;
    const codes = byStatus.get(entry.httpStatus) ?? new Set<string>();
    codes.add(entry.code);
    byStatus.set(entry.httpStatus, codes);
  }
  const out: Json = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [...codes].map((c) => `\`${c}\``).join(', ');
    const first = catalog.find((e) => e.code === [...codes][0])!;
    out[String(status)] = problem(
      `The aggregator refused the ${operation} (codes ${list}): \`code\`, \`category\` and \`retry\` come from the status-code catalog, \`title\` is its English text`,
      {
        [`code${first.code}`]: problemExample(
          status,
          `upstream-${first.code}`,
          first.messageEn,
          first.messageEn,
          { code: first.code, category: first.category, retry: first.retry, operation },
        ),
      },
    );
  }
  return out;
}

const validation = (fields: Json[]) =>
  problem(
    'Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded',
    {
      validation: problemExample(400, 'validation', 'Invalid request', 'The request is not valid', {
        errors: fields,
      }),
      malformedJson: problemExample(
        400,
        'malformed-json',
        'Malformed JSON',
        'The request body is not valid JSON',
      ),
    },
  );

const unauthorized = problem(
  'No `Authorization: Bearer <api key>`, or the key is not valid',
  {
    unauthorized: problemExample(401, 'unauthorized', 'Unauthorized', 'The API key is not valid'),
  },
  { 'WWW-Authenticate': { description: 'Always `Bearer realm="paystream"`', schema: { type: 'string' } } },
);
const forbidden = (scope: string) =>
  problem(`The API key lacks the scope ${scope}`, {
    forbidden: problemExample(403, 'forbidden', 'Forbidden', `This API key lacks the scope ${scope}`),
  });
const notFound = problem("No such payment for this caller (another caller's orders are invisible)", {
  notFound: problemExample(404, 'not-found', 'Not found', 'No payment order-1001'),
});
const tooLarge = problem('The body exceeds the limit (16 kB by default)', {
  tooLarge: problemExample(413, 'payload-too-large', 'Payload too large', 'The body exceeds 16384 bytes'),
});
const unsupported = problem(
  'The body is not `application/json`, or is compressed (`Content-Encoding`), or not UTF-8',
  {
    unsupported: problemExample(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'Send application/json',
    ),
  },
);
const failure = {
  '500': problem(
    'The gateway failed; the Idempotency-Key is given back, so the same request may be retried',
    {
      internal: {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The gateway failed to handle the request',
      },
    },
  ),
  '503': problem('A dependency the gateway needs (database, bus) is down; the same request may be retried', {
    unavailable: problemExample(503, 'unavailable', 'Service unavailable', 'The database is not reachable'),
  }),
};

const conflictExamples: Record<string, Json> = {
  otherBody: problemExample(
    409,
    'idempotency-conflict',
    'Idempotency conflict',
    'This Idempotency-Key was used with a different request',
  ),
  inProgress: problemExample(
    409,
    'idempotency-conflict',
    'Idempotency conflict',
    'A request with this Idempotency-Key is still being processed',
  ),
};
const conflict = (extra: Record<string, Json>, what: string) =>
  problem(
    `Idempotency-Key reused with another body, or its first request is still running (then \`Retry-After\` says when to try again)${what}`,
    { ...conflictExamples, ...extra },
    {
      'Retry-After': {
        description: 'Seconds to wait; sent when the first request with this key is still running',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  );

// 409 and 422/502/... from the catalog share a status with the gateway's own answers: merged
// into one response whose description names both.
function merge(...sets: Json[]): Json {
  const out: Json = {};
  for (const set of sets) {
    for (const [status, response] of Object.entries(set)) {
      const existing = out[status] as Json | undefined;
      if (!existing) {
        out[status] = response;
        continue;
      }
      const a = existing as { description: string; content: Record<string, { examples: Json }> };
      const b = response as typeof a;
      const type = 'application/problem+json';
      out[status] = {
        ...a,
        description: `${a.description}; or: ${b.description}`,
        content: {
          [type]: {
            ...a.content[type],
            examples: { ...a.content[type]?.examples, ...b.content[type]?.examples },
          },
        },
      };
    }
  }
  return out;
}

const security = (...scopes: string[]) => [{ apiKey: scopes }];
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
const outTradeNo = {
  name: 'outTradeNo',
  in: 'path',
  required: true,
  description: "The caller's order number",
  schema: z.toJSONSchema(outTradeNoSchema),
  example: 'order-1001',
};

const paymentSchema = paymentResource.extend({
  stale: z
    .boolean()
    .optional()
    .meta({ description: 'true when the aggregator could not be asked: this is the stored record' }),
});

const unknownCreate = {
  outTradeNo: 'order-1001',
  status: 'unknown',
  amount: '12.34',
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundedAmount: '0.00',
  createdAt: NOW,
  updatedAt: NOW,
  refunds: [],
  detail: 'create timed out; the query timed out',
};

const refundPending = {
  outTradeNo: 'order-1001',
  refundNo: 'order-1001-r1',
  status: 'pending',
  amount: '2.00',
  currency: 'HKD',
  refundedAmount: '0.00',
  outcome: 'unknown',
  detail: 'refund timed out; the query timed out',
};

const unknownOutcome = (what: string, schema: string, example: unknown) =>
  body(
    ref(schema),
    { unknown: example },
    `Outcome unknown: the aggregator did not answer and a query could not tell yet. Not a success and not a failure: ${what}`,
    noStore,
  );

const endAction = (action: 'cancel' | 'close') => ({
  post: {
    operationId: `${action}Payment`,
    summary: action === 'cancel' ? 'Cancel (reverse in full) a payment' : 'Close an unpaid payment',
    description:
      action === 'cancel'
        ? 'Reverses a paid payment upstream in full. It gives the money back, so it needs `refunds:write` as well as `payments:write`.'
        : 'Closes an unpaid order created the same (Hong Kong) day, so it can no longer be paid.',
    tags: ['payments'],
    security: action === 'cancel' ? security('payments:write', 'refunds:write') : security('payments:write'),
    parameters: [outTradeNo, idempotencyKey, traceparent],
    requestBody: {
      required: false,
      description: 'No body, or an empty JSON object',
      content: {
        'application/json': { schema: { type: 'object', additionalProperties: false }, example: {} },
      },
    },
    responses: {
      '200': body(
        ref('Payment'),
        { [action]: { ...paymentExample, status: action === 'cancel' ? 'canceled' : 'closed' } },
        action === 'cancel' ? 'Canceled' : 'Closed',
        replayed,
      ),
      '202': unknownOutcome(
        'read the payment (GET) to learn it; the request was not sent twice',
        'Payment',
        paymentExample,
      ),
      ...merge(
        {
          '400': validation([{ field: 'outTradeNo', message: 'must be 1 to 64 characters' }]),
          '401': unauthorized,
          '403': forbidden(action === 'cancel' ? 'payments:write and refunds:write' : 'payments:write'),
          '404': notFound,
          '409': conflict({}, ''),
          '413': tooLarge,
          '415': unsupported,
        },
        upstreamRefusals(action),
        failure,
      ),
    },
  },
});

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paystream gateway',
      version: '1.0.0',
      description:
        'Payments through the aggregator. Money is a decimal string in major units plus an ISO currency. ' +
        'Errors are RFC 9457 `application/problem+json`; an upstream refusal carries the upstream `code`, ' +
        'its `category` and `retry` advice (`never`, `after_query`, `safe`). A 202 means the outcome is unknown.',
    },
    servers: [
      { url: 'http://127.0.0.1:8080', description: '`make start` (the all-in-one; PORT, default 8080)' },
    ],
    tags: [
      { name: 'payments', description: 'Payments and refunds, for internal services (API key with scopes)' },
      { name: 'notifications', description: "The aggregator's signed callback" },
      { name: 'operations', description: 'Probes, metrics and this document, for the platform team' },
    ],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Authorization: Bearer <api key>. Scopes: payments:read, payments:write, refunds:write.',
        },
      },
      schemas: {
        Payment: jsonSchema(paymentSchema),
        Refund: jsonSchema(refundResource),
        Problem: {
          ...jsonSchema(problemSchema),
          description:
            'RFC 9457 problem details; `operation` names the upstream call an upstream refusal came from, `reason` why a notification was refused.',
          properties: {
            ...(jsonSchema(problemSchema).properties as Json),
            operation: { type: 'string' },
            reason: { type: 'string' },
          },
        },
        NotifyAck: {
          type: 'object',
          required: ['code', 'msg'],
          properties: { code: { type: 'string', const: '00' }, msg: { type: 'string', const: 'SUCCESS' } },
        },
        Ready: {
          type: 'object',
          required: ['status', 'checks'],
          properties: {
            status: { type: 'string', enum: ['ready', 'not_ready'] },
            checks: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                required: ['ok'],
                properties: { ok: { type: 'boolean' }, detail: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    paths: {
      '/v1/payments': {
        post: {
          operationId: 'createPayment',
          summary: 'Create a payment',
          description:
            'Creates the order upstream and answers its QR code and pay URL. `amount` is a decimal string of 0.02 to 60000 in major units. The same create again (same body) answers the stored payment with 200; an `outTradeNo` used for another body is 409 `03`.',
          tags: ['payments'],
          security: security('payments:write'),
          parameters: [idempotencyKey, traceparent],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchema(createPaymentBody),
                example: { outTradeNo: 'order-1001', amount: '12.34', currency: 'HKD', wallet: 'WECHATHK' },
              },
            },
          },
          responses: {
            '200': body(
              ref('Payment'),
              { again: paymentExample },
              'Already created with this body',
              replayed,
            ),
            '201': body(ref('Payment'), { created: paymentExample }, 'Created upstream', replayed),
            '202': unknownOutcome(
              'send the same create again (same Idempotency-Key) or read the payment; the gateway queries before creating again, so there is no double charge',
              'Payment',
              unknownCreate,
            ),
            ...merge(
              {
                '400': validation([
                  { field: 'amount', message: 'must be a non-negative decimal string such as "12.34"' },
                  {
                    field: 'wallet',
                    message: 'Invalid option: expected one of "WECHATCN"|"WECHATHK"|"ALIPAYCN"|"ALIPAYHK"',
                  },
                ]),
                '401': unauthorized,
                '403': forbidden('payments:write'),
                '409': conflict(
                  {
                    outTradeNoUsed: problemExample(
                      409,
                      'conflict',
                      'Conflict',
                      'outTradeNo order-1001 is already used',
                      {
                        code: '03',
                        category: 'duplicate',
                      },
                    ),
                  },
                  '; or the `outTradeNo` is already used for another payment (`code: "03"`)',
                ),
                '413': tooLarge,
                '415': unsupported,
              },
              upstreamRefusals('create'),
              failure,
            ),
          },
        },
      },
      '/v1/payments/{outTradeNo}': {
        get: {
          operationId: 'getPayment',
          summary: 'Read a payment',
          description:
            'The stored payment, refreshed by a query to the aggregator; a change there is recorded with its events. When the aggregator cannot be asked, the stored record with `stale: true`.',
          tags: ['payments'],
          security: security('payments:read'),
          parameters: [outTradeNo, traceparent],
          responses: {
            '200': body(
              ref('Payment'),
              { paid: { ...paymentExample, status: 'paid', paidAt: NOW } },
              'The payment',
              noStore,
            ),
            '202': unknownOutcome(
              'a create whose outcome is unknown is not visible upstream yet; read again later',
              'Payment',
              { ...unknownCreate, detail: 'the upstream does not show the order yet' },
            ),
            ...merge(
              {
                '400': validation([{ field: 'outTradeNo', message: 'must be 1 to 64 characters' }]),
                '401': unauthorized,
                '403': forbidden('payments:read'),
                '404': notFound,
              },
              upstreamRefusals('query'),
              failure,
            ),
          },
        },
      },
      '/v1/payments/{outTradeNo}/refunds': {
        post: {
          operationId: 'refundPayment',
          summary: 'Refund part or all of a paid payment',
          description:
            'Refunds `amount` (more than 0.00) of a paid payment; refunds add up to at most the payment. The same `refundNo` and amount again answers the stored refund with 200; another amount is 409 `14`.',
          tags: ['payments'],
          security: security('refunds:write'),
          parameters: [outTradeNo, idempotencyKey, traceparent],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchema(refundBody),
                example: { refundNo: 'order-1001-r1', amount: '2.00' },
              },
            },
          },
          responses: {
            '200': body(
              ref('Refund'),
              { again: refundExample },
              'Already refunded with this refundNo',
              replayed,
            ),
            '201': body(ref('Refund'), { refunded: refundExample }, 'Refunded', replayed),
            '202': unknownOutcome(
              'the refund is `pending`; send the same refund again (same refundNo) or read the payment; the gateway queries before refunding again',
              'Refund',
              refundPending,
            ),
            ...merge(
              {
                '400': validation([
                  { field: 'amount', message: 'must be a non-negative decimal string such as "12.34"' },
                ]),
                '401': unauthorized,
                '403': forbidden('refunds:write'),
                '404': notFound,
                '409': conflict(
                  {
                    refundNoUsed: problemExample(
                      409,
                      'conflict',
                      'Conflict',
                      'refundNo order-1001-r1 was used for another amount',
                      { code: '14', category: 'duplicate' },
                    ),
                  },
                  '; or the `refundNo` was used for another amount (`code: "14"`)',
                ),
                '413': tooLarge,
                '415': unsupported,
              },
              upstreamRefusals('refund'),
              failure,
            ),
          },
        },
      },
      '/v1/payments/{outTradeNo}/cancel': endAction('cancel'),
      '/v1/payments/{outTradeNo}/close': endAction('close'),
      '/v1/notifications/upstream': {
        post: {
          operationId: 'receiveUpstreamNotification',
          summary: "Receive the aggregator's notify callback",
          description:
            'Called by the aggregator, not by services. Verified on the raw bytes before anything is read: JSON, timestamp format, clock window, signature and `User_Confirm_Key` (in the body, as the aggregator signs it; no API key). Then the order must exist and amount and currency match. Every refusal records nothing.',
          tags: ['notifications'],
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  description: 'The signed notification (see docs/upstream-api.openapi.yaml)',
                },
                example: {
                  notify_id: 'N20260115163500000001',
                  notify_type: 'TRADE_SUCCESS',
                  out_trade_no: 'order-1001',
                  trade_no: 'T20260115163000000001',
                  status: 'PAID',
                  transaction_amount: '12.34',
                  currency: 'HKD',
                  paytype: 'WeChat',
                  wallet: 'WECHATHK',
                  paid_at: NOW,
                  User_Confirm_Key: 'merchant-key',
                  timestamp: '20260115163500',
                  sign_type: 'HMAC-SHA256',
                  sign: '3f1c…',
                },
              },
            },
          },
          responses: {
            '200': body(
              ref('NotifyAck'),
              { ack: { code: '00', msg: 'SUCCESS' } },
              'Recorded (or recorded before: the acknowledgement is repeated)',
            ),
            '400': problem(
              'The body is not JSON, its timestamp is malformed (`13`, `-13`), or amount or currency differ from the order',
              {
                malformed: problemExample(
                  400,
                  'notification-rejected',
                  'Notification rejected',
                  'Notification refused: body is not JSON',
                  {
                    reason: 'malformed',
                    code: '-13',
                  },
                ),
              },
            ),
            '401': problem('Bad signature (`10`) or outside the clock window (`12`)', {
              signature: problemExample(
                401,
                'notification-rejected',
                'Notification rejected',
                'Notification refused: bad signature',
                {
                  reason: 'bad_signature',
                  code: '10',
                },
              ),
            }),
            '404': problem('No such order (`31`)', {
              unknownOrder: problemExample(
                404,
                'notification-rejected',
                'Notification rejected',
                'Notification refused: no such order',
                {
                  reason: 'unknown_order',
                  code: '31',
                },
              ),
            }),
            '413': tooLarge,
            '415': problem(
              'A compressed body (`Content-Encoding: gzip`, `br`, …): the signature covers the plain bytes',
              {
                encoded: problemExample(
                  415,
                  'unsupported-media-type',
                  'Unsupported media type',
                  'Send the body uncompressed',
                ),
              },
            ),
            ...failure,
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'getHealth',
          summary: 'Liveness: the process answers',
          tags: ['operations'],
          security: [],
          responses: { '200': body({ type: 'object' }, { ok: { status: 'ok' } }, 'The process is up') },
        },
      },
      '/readyz': {
        get: {
          operationId: 'getReadiness',
          summary: 'Readiness: upstream, bus and database reachable',
          tags: ['operations'],
          security: [],
          responses: {
            '200': body(
              ref('Ready'),
              {
                ready: {
                  status: 'ready',
                  checks: { database: { ok: true }, bus: { ok: true }, upstream: { ok: true } },
                },
              },
              'Ready',
            ),
            '503': body(
              ref('Ready'),
              {
                notReady: {
                  status: 'not_ready',
                  checks: {
                    database: { ok: true },
                    bus: { ok: true },
                    upstream: { ok: false, detail: 'ECONNREFUSED' },
                  },
                },
              },
              'Not ready: `checks` says which dependency',
            ),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics of every component in the process',
          tags: ['operations'],
          security: [],
          responses: {
            '200': {
              description: 'Prometheus text exposition format',
              content: {
                'text/plain': {
                  schema: { type: 'string' },
                  example:
                    'paystream_upstream_requests_total{operation="create",code="00",category="success"} 1\n',
                },
              },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          tags: ['operations'],
          security: [],
          responses: {
            '200': body({ type: 'object' }, { document: { openapi: '3.1.0' } }, 'The OpenAPI 3.1 document'),
          },
        },
      },
    },
  };
}
