// Fuzzing the public API with fast-check: arbitrary methods, paths, headers, encodings and bodies
// on every route. Never a 5xx; a request the gateway rejects changes no order, refund, notify
// record or outbox row; no answer ever carries a secret.
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { SANDBOX_DEV_CREDENTIALS } from '@paystream/upstream-sandbox';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  API_KEYS,
  CHECKOUT_READ_KEY,
  createBody,
  FULL_KEY,
  type Harness,
  OTHER_CALLER_KEY,
  READ_KEY,
  ROTATED_KEY,
  startHarness,
  WRITE_ONLY_KEY,
} from './__fixtures__/harness.js';
import { notification } from './__fixtures__/notification.js';

let h: Harness;
let pendingNo: string;
let paidNo: string;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
  pendingNo = h.nextNo('fz');
  paidNo = h.nextNo('fz');
  expect((await h.post('/v1/payments', createBody(pendingNo))).status).toBe(201);
  expect((await h.post('/v1/payments', createBody(paidNo))).status).toBe(201);
  expect((await h.pay(paidNo)).status).toBe(200);
});
afterAll(async () => {
  await h?.close();
});

const SECRETS = [
  SANDBOX_DEV_CREDENTIALS.privateKey,
  SANDBOX_DEV_CREDENTIALS.userConfirmKey,
  FULL_KEY,
  ROTATED_KEY,
  READ_KEY,
  OTHER_CALLER_KEY,
  WRITE_ONLY_KEY,
  CHECKOUT_READ_KEY,
  ...API_KEYS.map((k) => k.sha256),
];

const segment = fc.oneof(
  fc
    .constantFrom(
      () => pendingNo,
      () => paidNo,
    )
    .map((f) => f()),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '..', '.', 'a%2Fb', '%F0%9F%92%B8', 'x'.repeat(80)),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.constant('/v1/payments'),
  segment.map((s) => `/v1/payments/${s}`),
  fc
    .tuple(segment, fc.constantFrom('refunds', 'cancel', 'close', 'pay', ''))
    .map(([s, a]) => `/v1/payments/${s}/${a}`),
  fc.constantFrom(
    '/v1/notifications/upstream',
    '/healthz',
    '/readyz',
    '/openapi.json',
    '/v1',
    '/',
    '/v2/payments',
  ),
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');
const header = (values: fc.Arbitrary<string>) => fc.option(values, { nil: undefined });
const headers = fc.record({
  authorization: header(
    fc.oneof(
      fc
        .constantFrom(FULL_KEY, READ_KEY, OTHER_CALLER_KEY, WRITE_ONLY_KEY, 'psk_nope')
        .map((k) => `Bearer ${k}`),
      fc.constantFrom(
        `bearer ${FULL_KEY}`,
        `Basic ${FULL_KEY}`,
        'Bearer',
        'Bearer  ',
        `Bearer ${FULL_KEY} x`,
      ),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    ),
  ),
  'content-type': header(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/problem+json',
      'multipart/form-data; boundary=x',
    ),
  ),
  'content-encoding': header(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'zstd', 'bogus')),
  'idempotency-key': header(fc.oneof(fc.string({ maxLength: 12 }), fc.constant('k'.repeat(300)), fc.uuid())),
});
const amount = fc.oneof(
  fc.constantFrom(
    '0.00',
    '0.01',
    '0.02',
    '10.00',
    '60000.00',
    '60000.01',
    '-1',
    '1e3',
    '1.234',
    ' 1.00',
    '',
    'NaN',
  ),
  fc.integer({ min: 0, max: 10_000_000 }).map((n) => (n / 100).toFixed(2)),
  fc.double().map(String),
);
const jsonBody = fc.oneof(
  fc.record(
    {
      outTradeNo: fc.oneof(segment, fc.string({ maxLength: 70 })),
      amount: fc.oneof(amount, fc.integer() as fc.Arbitrary<unknown>),
      currency: fc.constantFrom('HKD', 'CNY', 'USD', 'hkd', ''),
      wallet: fc.constantFrom('WECHATHK', 'WECHATCN', 'ALIPAYHK', 'ALIPAYCN', 'PAYPAL'),
      description: fc.string({ maxLength: 140 }),
      metadata: fc.dictionary(fc.string({ maxLength: 42 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
      refundNo: fc.oneof(fc.string({ maxLength: 70 }), fc.constant('r1')),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
  fc.constant(notification('none-such')),
);
const body = fc.oneof(
  fc.constant(undefined),
  jsonBody.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  jsonBody.map((v) => gzipSync(JSON.stringify(v) ?? 'null')),
  jsonBody.map((v) => brotliCompressSync(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.from('{"outTradeNo":')),
  fc.constant(Buffer.alloc(20_000, 'a')),
);

/** Everything a rejected request must leave as it was (idempotency bookkeeping aside). */
async function snapshot(): Promise<string> {
  const tables = ['gateway_orders', 'gateway_refunds', 'gateway_notifications', 'paystream_outbox'] as const;
  const rows = await Promise.all(
    tables.map((t) =>
      (h.db as unknown as import('@paystream/db').Kysely<Record<string, object>>)
        .selectFrom(t)
        .selectAll()
        .execute(),
    ),
  );
  return JSON.stringify(rows);
}

it('never answers 5xx, changes nothing when it refuses, and never echoes a secret', async () => {
  await fc.assert(
    fc.asyncProperty(method, path, headers, body, async (m, p, hs, b) => {
      const before = await snapshot();
      let req = h.http[m.toLowerCase() as 'get'](p);
      for (const [k, v] of Object.entries(hs)) if (v !== undefined) req = req.set(k, v);
      // A HEAD carries no body the client would frame: its bytes reach Node's parser as a second,
      // garbage request (Node answers that one 400 itself). Not the gateway's to fuzz.
      const res = b === undefined || m === 'HEAD' ? await req : await req.send(b);
      expect(res.status, `${m} ${p}`).toBeLessThan(500);
      const text = `${res.text ?? ''}${JSON.stringify(res.headers)}`;
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      // Refusals by the upstream are recorded by design (with their code); the gateway's own are not.
      const upstreamRefusal = typeof res.body?.type === 'string' && res.body.type.includes('/upstream-');
      if (res.status >= 400 && !upstreamRefusal)
        expect(await snapshot(), `${m} ${p} ${res.status}`).toBe(before);
    }),
    { numRuns: 400 },
  );
});
