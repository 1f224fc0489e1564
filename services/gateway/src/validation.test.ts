// Bad input gets a clear 4xx naming the field, and leaves no trace: nothing reaches the upstream
// (the sandbox has no new order) and nothing enters the outbox.
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, FULL_KEY, type Harness, startHarness } from './__fixtures__/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});

async function expectNoTrace(run: () => Promise<void>) {
  const outbox = await h.outboxCount();
  const orders = h.sandbox.state.orders.size;
  await run();
  expect(await h.outboxCount()).toBe(outbox);
  expect(h.sandbox.state.orders.size).toBe(orders);
}

const CASES: [string, Record<string, unknown>, string, RegExp][] = [
  ['a negative amount', { amount: '-1.00' }, 'amount', /non-negative decimal/],
  ['an amount as a number', { amount: 12.34 }, 'amount', /decimal string/],
  [
    'more decimals than the currency has',
    { amount: '0.295' },
    'amount',
    /more than 2 decimal places for HKD/,
  ],
  ['an exponent', { amount: '1e3' }, 'amount', /decimal/],
  ['an unknown currency', { currency: 'USD' }, 'currency', /HKD/],
  ['an unknown wallet', { wallet: 'PAYPAL' }, 'wallet', /WECHATHK/],
  ['an unknown field', { discount: '1.00' }, 'discount', /not a known field/],
  ['a missing outTradeNo', { outTradeNo: undefined }, 'outTradeNo', /expected string/],
  ['an outTradeNo with spaces', { outTradeNo: 'a b' }, 'outTradeNo', /letters, digits/],
  ['a notifyUrl that is not http', { notifyUrl: 'ftp://x' }, 'notifyUrl', /http/],
  ['metadata with a number', { metadata: { a: 1 } }, 'metadata.a', /string/],
  ['an outTradeNo of one dot', { outTradeNo: '.' }, 'outTradeNo', /dots only/],
  ['an outTradeNo of two dots', { outTradeNo: '..' }, 'outTradeNo', /dots only/],
  [
    'a metadata value with a line break',
    { metadata: { note: 'x\r\n,999.00,,HKD,' } },
    'metadata.note',
    /control characters/,
  ],
];

describe('POST /v1/payments refuses bad bodies', () => {
  for (const [name, over, field, message] of CASES) {
    it(`${name}: 400 naming ${field}`, async () => {
      await expectNoTrace(async () => {
        const res = await h.post('/v1/payments', createBody(h.nextNo('bad'), over));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.errors).toContainEqual({ field, message: expect.stringMatching(message) });
      });
    });
  }

  it('names every bad field at once', async () => {
    const res = await h.post('/v1/payments', {
      outTradeNo: '',
      amount: 1,
      currency: 'X',
      wallet: 1,
      extra: true,
    });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['amount', 'currency', 'extra', 'outTradeNo', 'wallet']);
  });

  it('refuses malformed JSON with 400', async () => {
    await expectNoTrace(async () => {
      const res = await h.http
        .post('/v1/payments')
        .set('authorization', `Bearer ${FULL_KEY}`)
        .set('content-type', 'application/json')
        .send('{"outTradeNo": "x", ');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ title: 'Malformed JSON', status: 400 });
    });
  });

  it('refuses a huge body with 413', async () => {
    await expectNoTrace(async () => {
      const res = await h.post(
        '/v1/payments',
        createBody(h.nextNo('big'), { description: 'x'.repeat(100_000) }),
      );
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });
  });

  it('refuses a body that is not JSON with 415', async () => {
    await expectNoTrace(async () => {
      const res = await h.http
        .post('/v1/payments')
        .set('authorization', `Bearer ${FULL_KEY}`)
        .set('content-type', 'text/plain')
        .send('amount=10');
      expect(res.status).toBe(415);
    });
  });

  it('refuses a JSON array and a missing body', async () => {
    await expectNoTrace(async () => {
      const array = await h.post('/v1/payments', [createBody('x')]);
      expect(array.status).toBe(400);
      expect(array.body.errors[0].field).toBe('(body)');
      const none = await h.post('/v1/payments');
      expect(none.status).toBe(400);
    });
  });
});

describe('refunds, cancel, close and paths are validated too', () => {
  it('refuses a refund amount with float rounding trouble or a sign, and unknown fields', async () => {
    const no = h.nextNo('vr');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    await expectNoTrace(async () => {
      for (const [body, field] of [
        [{ refundNo: 'r1', amount: '0.1000001' }, 'amount'],
        [{ refundNo: 'r1', amount: '-0.01' }, 'amount'],
        [{ refundNo: 'r1', amount: 0.29 }, 'amount'],
        [{ refundNo: 'r 1', amount: '1.00' }, 'refundNo'],
        [{ refundNo: 'r1', amount: '1.00', reason: 'x' }, 'reason'],
      ] as const) {
        const res = await h.post(`/v1/payments/${no}/refunds`, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
      const cancel = await h.post(`/v1/payments/${no}/cancel`, { now: true });
      expect(cancel.status).toBe(400);
      expect(cancel.body.errors).toContainEqual({ field: 'now', message: 'is not a known field' });
    });
  });

  it('refuses a bad outTradeNo in the path', async () => {
    const res = await h.get(`/v1/payments/${'x'.repeat(65)}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('outTradeNo');
  });

  it('answers 404 problem+json for an unknown payment and an unknown route', async () => {
    const res = await h.get('/v1/payments/never-created');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((await h.http.get('/v2/nothing')).status).toBe(404);
  });
});

describe('POST /v1/payments reads only plain UTF-8 JSON with each key once', () => {
  const raw = (body: string | Buffer, headers: Record<string, string>) =>
    h.post('/v1/payments', body, { 'content-type': 'application/json', ...headers });

  it('refuses a repeated key, naming it, instead of keeping the last one', async () => {
    await expectNoTrace(async () => {
      const no = h.nextNo('dup');
      const body = `{"outTradeNo":"${no}","amount":"1.00","amount":"50000.00","currency":"HKD","wallet":"WECHATHK"}`;
      const res = await raw(body, {});
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'amount', message: 'appears more than once in its object' }]);
    });
  });

  it('refuses a key repeated inside metadata', async () => {
    await expectNoTrace(async () => {
      const body = JSON.stringify(createBody(h.nextNo('dup'))).replace(
        /}$/,
        ',"metadata":{"a":"1","a":"2"}}',
      );
      const res = await raw(body, {});
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'metadata.a', message: 'appears more than once in its object' },
      ]);
    });
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const)('refuses a %s-compressed body with 415', async (encoding, compress) => {
    await expectNoTrace(async () => {
      const res = await raw(compress(JSON.stringify(createBody(h.nextNo('gz')))), {
        'content-encoding': encoding,
      });
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });
  });

  it('refuses a UTF-16 body with 415', async () => {
    await expectNoTrace(async () => {
      const body = Buffer.from(JSON.stringify(createBody(h.nextNo('u16'))), 'utf16le');
      const res = await raw(body, { 'content-type': 'application/json; charset=utf-16le' });
      expect(res.status).toBe(415);
      expect(res.body.detail).toMatch(/UTF-8/);
    });
  });
});

describe('refund numbers', () => {
  it.each(['.', '..'])('refuses %j with 400', async (refundNo) => {
    const no = h.nextNo('rn');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    await expectNoTrace(async () => {
      const res = await h.post(`/v1/payments/${no}/refunds`, { refundNo, amount: '1.00' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toContainEqual({
        field: 'refundNo',
        message: expect.stringMatching(/dots only/),
      });
    });
  });
});

describe('what a refusal echoes', () => {
  it("names the path as the problem's instance, never the query string", async () => {
    const res = await h.get('/v1/payments/nope-404?api_key=psk_should_never_come_back');
    expect(res.status).toBe(404);
    expect(res.body.instance).toBe('/v1/payments/nope-404');
    expect(JSON.stringify(res.body)).not.toContain('psk_should_never_come_back');
  });

  it('/readyz, unauthenticated, names no path of the host', async () => {
    const res = await h.http.get('/readyz');
    expect(res.body.checks.bus).toMatchObject({ ok: true });
    expect(res.body.checks.bus.detail).toMatch(/^embedded: [^/]+$/);
  });
});
