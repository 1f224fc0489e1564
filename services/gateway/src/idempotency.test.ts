import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same key and body, with one upstream call and one event', async () => {
    const no = h.nextNo('idem');
    const key = `${no}-k`;
    const first = await h.post('/v1/payments', createBody(no), { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // Same body with the keys in another order is the same request.
    const { wallet, currency, amount, outTradeNo } = createBody(no);
    const again = await h.post(
      '/v1/payments',
      { wallet, currency, amount, outTradeNo },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await h.eventsFor(no)).map((e) => e.type)).toEqual(['payment.created']);
  });

  it('answers 409 for the same key with another body', async () => {
    const no = h.nextNo('idem');
    const key = `${no}-k`;
    expect((await h.post('/v1/payments', createBody(no), { 'idempotency-key': key })).status).toBe(201);
    const other = await h.post('/v1/payments', createBody(no, { amount: '11.00' }), {
      'idempotency-key': key,
    });
    expect(other.status).toBe(409);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.body.title).toBe('Idempotency conflict');
  });

  it('replays an upstream refusal too, without calling the upstream again', async () => {
    const no = h.nextNo('idem');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    await h.pay(no);
    const body = { refundNo: `${no}-r`, amount: '20.00' };
    const first = await h.post(`/v1/payments/${no}/refunds`, body, { 'idempotency-key': 'refund-1' });
    expect(first.body.code).toBe('18');
    const again = await h.post(`/v1/payments/${no}/refunds`, body, { 'idempotency-key': 'refund-1' });
    expect(again.status).toBe(first.status);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const failed = (await h.eventsFor(no)).filter((e) => e.type === 'refund.failed');
    expect(failed).toHaveLength(1);
  });

  it('keeps keys apart per caller and refuses a malformed key', async () => {
    const res = await h.post('/v1/payments', createBody(h.nextNo('idem')), {
      'idempotency-key': 'x'.repeat(300),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
  });

  it('answers a retried create without a key from the record (outTradeNo is unique)', async () => {
    const no = h.nextNo('idem');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    const again = await h.post('/v1/payments', createBody(no));
    expect(again.status).toBe(200);
    expect(again.body.outTradeNo).toBe(no);
    const different = await h.post('/v1/payments', createBody(no, { amount: '99.00' }));
    expect(different.status).toBe(409);
    expect(different.body.code).toBe('03');
    expect((await h.eventsFor(no)).map((e) => e.type)).toEqual(['payment.created']);
  });
});

describe('concurrent requests on one order', () => {
  it('creates once when the same create arrives five times at once', async () => {
    const no = h.nextNo('race');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.post('/v1/payments', createBody(no))),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect((await h.eventsFor(no)).map((e) => e.type)).toEqual(['payment.created']);
  });

  it('refunds in sequence: two refunds that together exceed the amount, one succeeds and one fails with 18', async () => {
    const no = h.nextNo('race');
    expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
    await h.pay(no);
    const [a, b] = await Promise.all([
      h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-a`, amount: '6.00' }),
      h.post(`/v1/payments/${no}/refunds`, { refundNo: `${no}-b`, amount: '6.00' }),
    ]);
    expect([a, b].filter((r) => r.status === 201)).toHaveLength(1);
    expect([a, b].filter((r) => r.body.code === '18')).toHaveLength(1);
    const events = await h.eventsFor(no);
    expect(events.map((e) => e.data.sequence)).toEqual([1, 2, 3, 4]);
    expect((await h.get(`/v1/payments/${no}`)).body.refundedAmount).toBe('6.00');
  });
});

describe('many creates at once (on SQLite their writes share commits)', () => {
  it('records each order with exactly its own event, keys and refusals included', async () => {
    const nos = Array.from({ length: 24 }, () => h.nextNo('many'));
    const taken = h.nextNo('many-taken');
    expect((await h.post('/v1/payments', createBody(taken))).status).toBe(201);
    const answers = await Promise.all([
      ...nos.map((no, i) =>
        h.post('/v1/payments', createBody(no), i % 2 === 0 ? { 'idempotency-key': `${no}-k` } : {}),
      ),
      // Refused among them: another amount for a number already used.
      h.post('/v1/payments', createBody(taken, { amount: '11.00' })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([...nos.map(() => 201), 409]);
    for (const [i, no] of nos.entries()) {
      expect(answers[i]!.body).toMatchObject({ outTradeNo: no, status: 'pending', refunds: [] });
      const order = await h.db
        .selectFrom('gateway_orders')
        .select(['status', 'sequence', 'intent'])
        .where('out_trade_no', '=', no)
        .executeTakeFirstOrThrow();
      expect(order).toEqual({ status: 'pending', sequence: 1, intent: null });
      const events = await h.eventsFor(no);
      expect(events.map((e) => [e.type, e.data.sequence])).toEqual([['payment.created', 1]]);
    }
    expect((await h.eventsFor(taken)).map((e) => e.type)).toEqual(['payment.created']);
    // Each keyed create replays its stored answer.
    const replay = await h.post('/v1/payments', createBody(nos[0]!), { 'idempotency-key': `${nos[0]}-k` });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(answers[0]!.body);
  });
});
