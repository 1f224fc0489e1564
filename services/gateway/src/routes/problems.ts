// The refusals the route table documents, with an example each. The statuses come from the same
// places as the answers: the shared kinds (http-kit), the catalog (upstream refusals).
import { catalog, type Operation } from '@paystream/codes';
import { PROBLEM_TYPE, type ProblemSpec } from '@paystream/http-kit';
import { UpstreamRejectedError } from '../errors.js';
import { gatewayStatusOf } from '../http/statuses.js';

type Problems = Record<number, ProblemSpec>;

export const example = (status: number, kind: string, title: string, detail: string, extra = {}) => ({
  type: `${PROBLEM_TYPE}${kind}`,
  title,
  status,
  detail,
  instance: '/v1/payments/order-1001',
  ...extra,
});

const spec = (description: string, examples: Record<string, unknown>, headers?: Record<string, unknown>) => ({
  description,
  examples,
  ...(headers ? { headers } : {}),
});

/** Upstream refusals: per HTTP status, the catalog codes an operation can answer with it. */
export function upstreamRefusals(operation: Operation): Problems {
  const byStatus = new Map<number, string[]>();
  for (const entry of catalog) {
    if (entry.code === '00' || !entry.operations.includes(operation)) continue;
    const status = gatewayStatusOf(new UpstreamRejectedError(entry, '', operation))!;
    const codes = byStatus.get(status) ?? [];
    if (!codes.includes(entry.code)) codes.push(entry.code);
    byStatus.set(status, codes);
  }
  const out: Problems = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const first = catalog.find((e) => e.code === codes[0])!;
    const extra = new UpstreamRejectedError(first, '', operation).extras;
    out[status] = spec(
      `The aggregator refused the ${operation} (codes ${codes.map((c) => `\`${c}\``).join(', ')}): \`code\`, \`category\` and \`retry\` come from the status-code catalog, \`title\` is its English text`,
      {
        [`code${first.code}`]: example(
          status,
          `upstream-${first.code}`,
          first.messageEn,
          first.messageEn,
          extra,
        ),
      },
    );
  }
  return out;
}

export const validation = (fields: { field: string; message: string }[]) =>
  spec(
    'Invalid request: `errors` names each bad field (body, path, `Idempotency-Key`; an amount outside 0.02–60000 or with more decimals than the currency has), or the body is not JSON, or the path is not valid percent-encoding (`errors: [{field: "path"}]`); nothing was recorded',
    {
      validation: example(400, 'validation', 'Invalid request', 'The request is not valid', {
        errors: fields,
      }),
      malformedJson: example(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON'),
    },
  );

export const unauthorized = spec(
  'No `Authorization: Bearer <api key>`, or the key is not valid',
  { unauthorized: example(401, 'unauthorized', 'Unauthorized', 'The API key is not valid') },
  { 'WWW-Authenticate': { description: 'Always `Bearer realm="paystream"`', schema: { type: 'string' } } },
);

export const forbidden = (scope: string) =>
  spec(`The API key lacks the scope ${scope}`, {
    forbidden: example(403, 'forbidden', 'Forbidden', `This API key lacks the scope ${scope}`),
  });

export const notFound = spec("No such payment for this caller (another caller's orders are invisible)", {
  notFound: example(404, 'not-found', 'Not found', 'No payment order-1001'),
});

export const tooLarge = spec('The body exceeds the limit (16 kB by default)', {
  tooLarge: example(413, 'payload-too-large', 'Payload too large', 'The body exceeds 16384 bytes'),
});

export const unsupported = spec(
  'The body is not `application/json`, or is compressed (`Content-Encoding`), or not UTF-8',
  { unsupported: example(415, 'unsupported-media-type', 'Unsupported media type', 'Send application/json') },
);

export const failure = spec(
  'The gateway failed; the Idempotency-Key is given back, so the same request may be retried',
  {
    internal: {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The gateway failed to handle the request',
    },
  },
);

/** Idempotency-Key reused or still running; `what` and `examples` add the route's own conflict. */
export const conflict = (what: string, examples: Record<string, unknown> = {}) =>
  spec(
    `Idempotency-Key reused with another body, or its first request is still running (then \`Retry-After\` says when to try again)${what}`,
    {
      otherBody: example(
        409,
        'idempotency-conflict',
        'Idempotency conflict',
        'This Idempotency-Key was used with a different request',
      ),
      inProgress: example(
        409,
        'idempotency-conflict',
        'Idempotency conflict',
        'A request with this Idempotency-Key is still being processed',
      ),
      ...examples,
    },
    {
      'Retry-After': {
        description: 'Seconds to wait; sent when the first request with this key is still running',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  );

/** Several refusals with one status are one response whose description names each. */
export function merge(...sets: Problems[]): Problems {
  const out: Problems = {};
  for (const set of sets) {
    for (const [key, p] of Object.entries(set)) {
      const status = Number(key);
      const had = out[status];
      out[status] = had
        ? {
            ...had,
            description: `${had.description}; or: ${p.description}`,
            examples: { ...had.examples, ...p.examples },
          }
        : p;
    }
  }
  return out;
}
