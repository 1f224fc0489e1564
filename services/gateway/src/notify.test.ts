// The notify callback is verified on the raw body before anything is recorded; forged, stale,
// malformed callbacks are refused and counted; a redelivered one is acknowledged and recorded once.
import { formatWireTimestamp } from '@paystream/upstream-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBody, type Harness, startHarness } from './__fixtures__/harness.js';
import { notification } from './__fixtures__/notification.js';
import { NOTIFY_REJECT_REASONS } from './errors.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ transport: 'embedded', database: 'sqlite' });
});
afterAll(async () => {
  await h?.close();
});

const send = (body: unknown) =>
  h.http
    .post('/v1/notifications/upstream')
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));

async function rejected(reason: string): Promise<number> {
  const metric = await h.registry.getSingleMetric('paystream_notifications_rejected_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

async function pendingOrder() {
  const no = h.nextNo('nt');
  expect((await h.post('/v1/payments', createBody(no))).status).toBe(201);
  return no;
}

describe('POST /v1/notifications/upstream', () => {
  it('records a genuine callback once and acknowledges its redelivery without recording it again', async () => {
    const no = await pendingOrder();
    const body = notification(no);
    const first = await send(body);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ code: '00', msg: 'SUCCESS' });
    const outbox = await h.outboxCount();
    const replay = await send(body);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ code: '00', msg: 'SUCCESS' });
    expect(await h.outboxCount()).toBe(outbox);
    expect((await h.eventsFor(no)).map((e) => e.type)).toEqual(['payment.created', 'payment.succeeded']);
  });

  it.each([
    ['a forged signature', (no: string) => notification(no, {}, 'not-the-key'), 'bad_signature', 401, '10'],
    [
      'a stale timestamp',
      (no: string) => notification(no, { timestamp: formatWireTimestamp(new Date(Date.now() - 3_600_000)) }),
      'clock_skew',
      401,
      '12',
    ],
    [
      'a malformed timestamp',
      (no: string) => notification(no, { timestamp: '2025-01-01' }),
      'bad_timestamp',
      400,
      '13',
    ],
    ['a body that is not JSON', () => '{"notify_id": ', 'malformed', 400, '-13'],
    [
      'a changed amount',
      (no: string) => notification(no, { transaction_amount: '0.01' }),
      'mismatch',
      400,
      undefined,
    ],
  ] as const)('refuses %s, counts it and records nothing', async (_name, make, reason, status, code) => {
    const no = await pendingOrder();
    const outbox = await h.outboxCount();
    const before = await rejected(reason);
    const res = await send(make(no));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    if (code) expect(res.body.code).toBe(code);
    expect(await rejected(reason)).toBe(before + 1);
    expect(await h.outboxCount()).toBe(outbox);
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('pending');
  });
});

describe('paystream_notifications_rejected_total', () => {
  it('has every reason at 0 from the start, so the first refusal is an increase', async () => {
    const fresh = await startHarness({ transport: 'embedded', database: 'sqlite' });
    try {
      const metric = await fresh.registry.getSingleMetric('paystream_notifications_rejected_total')?.get();
      const reasons = Object.fromEntries(metric!.values.map((v) => [v.labels.reason, v.value]));
      expect(reasons).toEqual(Object.fromEntries(NOTIFY_REJECT_REASONS.map((r) => [r, 0])));
    } finally {
      await fresh.close();
    }
  });
});

describe('a payment reported for an order that had ended', () => {
  it('after a close is recorded as paid_after_close with its event, never acknowledged and dropped', async () => {
    const no = await pendingOrder();
    expect((await h.post(`/v1/payments/${no}/close`)).status).toBe(200);
    const res = await send(notification(no));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: '00', msg: 'SUCCESS' });
    const events = await h.eventsFor(no);
    expect(events.map((e) => e.type)).toEqual([
      'payment.created',
      'payment.closed',
      'payment.paid_after_close',
    ]);
    expect(events.at(-1)?.data).toMatchObject({ operation: 'notify', amountMinor: 1000, caller: 'checkout' });
    const row = await h.db
      .selectFrom('gateway_orders')
      .select(['status', 'paid_at'])
      .where('out_trade_no', '=', no)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('paid_after_close');
    expect(row.paid_at).not.toBeNull();
    // A later read, whose query still shows the order closed, moves nothing back.
    expect((await h.get(`/v1/payments/${no}`)).body.status).toBe('paid_after_close');
    expect((await h.eventsFor(no)).length).toBe(3);
    // The way out is a refund: a cancel or close of the late money is refused before any call.
    for (const op of ['cancel', 'close']) {
      const refused = await h.post(`/v1/payments/${no}/${op}`);
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toMatch(/refund the payment/);
    }
    expect((await h.eventsFor(no)).length).toBe(3);
  });

  it('after a cancel is new money unless it is the payment the cancel reversed', async () => {
    const no = await pendingOrder();
    await h.pay(no);
    await expect.poll(async () => (await h.eventsFor(no)).length, { timeout: 10_000 }).toBe(2);
    expect((await h.post(`/v1/payments/${no}/cancel`)).status).toBe(200);
    const { paid_at: paidAt } = await h.db
      .selectFrom('gateway_orders')
      .select('paid_at')
      .where('out_trade_no', '=', no)
      .executeTakeFirstOrThrow();
    // The reversed payment's notify again, under another id (a first delivery arriving late).
    expect((await send(notification(no, { paid_at: paidAt }))).status).toBe(200);
    expect((await h.eventsFor(no)).map((e) => e.type)).toEqual([
      'payment.created',
      'payment.succeeded',
      'payment.canceled',
    ]);
    // A payment at another time: money after the reversal.
    expect((await send(notification(no))).status).toBe(200);
    expect((await h.eventsFor(no)).map((e) => e.type)).toEqual([
      'payment.created',
      'payment.succeeded',
      'payment.canceled',
      'payment.paid_after_close',
    ]);
  });
});
