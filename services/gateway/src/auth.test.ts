import { hashApiKey } from '@paystream/config';
import { ApiKeyStore } from '@paystream/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBody,
  FULL_KEY,
  type Harness,
  OTHER_CALLER_KEY,
  READ_KEY,
  ROTATED_KEY,
  startHarness,
} from './__fixtures__/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});

describe('API keys', () => {
  it('refuses a request without a key, with a malformed header, or with an unknown key', async () => {
    const outbox = await h.outboxCount();
    for (const auth of [undefined, 'Basic abc', 'Bearer', `Bearer ${FULL_KEY}x`, 'Bearer psk_dev_local']) {
      const req = h.http.post('/v1/payments');
      if (auth) req.set('authorization', auth);
      const res = await req.send(createBody(h.nextNo('auth')));
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await h.outboxCount()).toBe(outbox);
    expect(h.sandbox.state.orders.size).toBe(0);
  });

  it('refuses a key without the scope with 403', async () => {
    const res = await h.http
      .post('/v1/payments')
      .set('authorization', `Bearer ${READ_KEY}`)
      .send(createBody(h.nextNo('scope')));
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('payments:write');
  });

  it('accepts both keys of a caller during a rotation', async () => {
    const no = h.nextNo('rot');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    expect((await h.get(`/v1/payments/${no}`, ROTATED_KEY)).status).toBe(200);
  });

  it("hides one caller's payments from another", async () => {
    const no = h.nextNo('own');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    expect((await h.get(`/v1/payments/${no}`, OTHER_CALLER_KEY)).status).toBe(404);
    const reuse = await h.http
      .post('/v1/payments')
      .set('authorization', `Bearer ${OTHER_CALLER_KEY}`)
      .send(createBody(no));
    expect(reuse.status).toBe(409);
    expect(reuse.body.code).toBe('03');
  });
});

describe('ApiKeyStore', () => {
  const store = new ApiKeyStore([
    { caller: 'a', sha256: hashApiKey('psk_a_0123'), scopes: ['payments:read'] },
    { caller: 'b', sha256: hashApiKey('psk_b_4567'), scopes: ['payments:write'] },
  ]);

  it('answers the same caller for a key every time, and refuses other keys every time', () => {
    for (let i = 0; i < 3; i++) {
      expect(store.authenticate('psk_a_0123')).toEqual({ id: 'a', scopes: ['payments:read'] });
      expect(store.authenticate('psk_b_4567')).toEqual({ id: 'b', scopes: ['payments:write'] });
      expect(store.authenticate('psk_a_0123x')).toBeUndefined();
      expect(store.authenticate('psk_a_012')).toBeUndefined();
      expect(store.authenticate('')).toBeUndefined();
    }
  });
});
