// The payment and refund logic without HTTP: a scripted aggregator, a real database, and the
// outcomes the services answer (the HTTP adapter's mapping is routes/answers.test.ts).
import { enqueueEvents } from '@paystream/bus';
import { describe as describeCode } from '@paystream/codes';
import { type Database, openDatabase } from '@paystream/db';
import { createTestDatabase, type TestDatabase } from '@paystream/db/testing';
import { ConflictError } from '@paystream/http-kit';
import { minorUnits } from '@paystream/money';
import type { PaymentState, UpstreamClient, UpstreamResult } from '@paystream/upstream-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDatabase } from '../database.js';
import type { GatewaySchema } from '../store/schema.js';
import { OrderLock } from './order-lock.js';
import { Recorder } from './recorder.js';
import { RefundService } from './refunds.js';
import { PaymentService } from './service.js';

const NOW = '2026-01-15T08:30:00.000Z';
const ok = <T>(data: T): UpstreamResult<T> => ({
  outcome: 'success',
  code: '00',
  entry: describeCode('00'),
  data,
});
const refused = (code: string): UpstreamResult<never> => ({
  outcome: 'rejected',
  code,
  entry: describeCode(code),
  message: '',
});
const timedOut: UpstreamResult<never> = { outcome: 'unknown', reason: 'timeout', error: 'timed out' };

const state = (no: string, status: PaymentState['status'], refunded = 0): PaymentState => ({
  outTradeNo: no,
  upstreamTradeNo: `T-${no}`,
  status,
  amount: minorUnits(1234),
  currency: 'HKD',
  wallet: 'WECHATHK',
  refundedAmount: minorUnits(refunded),
  createdAt: NOW,
  ...(status === 'paid' ? { paidAt: NOW } : {}),
  refunds: [],
});

/** An aggregator that answers each call from the script, then from `query` for queries. */
function aggregator(script: Partial<Record<keyof UpstreamClient, () => UpstreamResult<unknown>>>) {
  const call = (name: keyof UpstreamClient) => async () => {
    const answer = script[name];
    if (!answer) throw new Error(`unexpected upstream call ${name}`);
    return answer();
  };
  return {
    createPayment: call('createPayment'),
    queryPayment: call('queryPayment'),
    queryRefund: call('queryRefund'),
    refundPayment: call('refundPayment'),
    cancelPayment: call('cancelPayment'),
    closePayment: call('closePayment'),
  } as unknown as UpstreamClient;
}

let test: TestDatabase;
let database: Database<GatewaySchema>;
beforeAll(async () => {
  test = await createTestDatabase('sqlite');
  database = openDatabase<GatewaySchema>({ url: test.url });
  await prepareDatabase(database.db as never);
});
afterAll(async () => {
  await database?.destroy();
  await test?.drop();
});

function services(upstream: UpstreamClient) {
  const recorder = new Recorder({
    db: database.db,
    enqueue: enqueueEvents,
    source: 'test',
    now: () => new Date(NOW),
  });
  const lock = new OrderLock();
  const payments = new PaymentService({
    db: database.db,
    upstream,
    recorder,
    notifyUrl: () => 'http://127.0.0.1/v1/notifications/upstream',
    lock,
  });
  return { payments, refunds: new RefundService({ db: database.db, upstream, recorder, payments, lock }) };
}

const create = (no: string) => ({
  outTradeNo: no,
  amount: minorUnits(1234),
  currency: 'HKD' as const,
  wallet: 'WECHATHK' as const,
});

describe('PaymentService outcomes', () => {
  it('a create the aggregator accepts is created; the same create again is current', async () => {
    const { payments } = services(
      aggregator({
        createPayment: () =>
          ok({
            outTradeNo: 'svc-1',
            upstreamTradeNo: 'T-svc-1',
            qrCodeUrl: 'weixin://qr',
            payUrl: 'https://pay',
            amount: minorUnits(1234),
            currency: 'HKD',
            wallet: 'WECHATHK',
            createdAt: NOW,
          }),
      }),
    );
    const first = await payments.create('checkout', create('svc-1'));
    expect(first).toMatchObject({ kind: 'created', payment: { status: 'pending', amount: '12.34' } });
    expect(await payments.create('checkout', create('svc-1'))).toMatchObject({ kind: 'current' });
  });

  it('a create with no answer and no query answer is unknown, and says why', async () => {
    const { payments } = services(
      aggregator({ createPayment: () => timedOut, queryPayment: () => timedOut }),
    );
    const outcome = await payments.create('checkout', create('svc-2'));
    expect(outcome).toMatchObject({ kind: 'unknown', payment: { status: 'unknown' } });
    expect(outcome.kind === 'unknown' && outcome.detail).toMatch(/create .*; the query had no answer/);
  });

  it("another caller's order number is a conflict naming code 03", async () => {
    const { payments } = services(aggregator({}));
    const err = await payments.create('other', create('svc-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).extras).toEqual({ code: '03', category: 'duplicate' });
  });

  it('a read the aggregator refuses is stale, with the code it answered', async () => {
    const { payments } = services(aggregator({ queryPayment: () => refused('-1') }));
    expect(await payments.get('checkout', 'svc-1')).toMatchObject({
      kind: 'stale',
      queryCode: '-1',
      detail: 'query answered -1',
      payment: { outTradeNo: 'svc-1' },
    });
  });

  it('a read the aggregator cannot answer is stale without a code', async () => {
    const { payments } = services(aggregator({ queryPayment: () => timedOut }));
    const outcome = await payments.get('checkout', 'svc-1');
    expect(outcome.kind).toBe('stale');
    expect(outcome).not.toHaveProperty('queryCode');
  });

  it('a close with no answer that a query cannot settle is unknown', async () => {
    const { payments } = services(
      aggregator({ closePayment: () => timedOut, queryPayment: () => ok(state('svc-1', 'pending')) }),
    );
    expect(await payments.close('checkout', 'svc-1')).toMatchObject({
      kind: 'unknown',
      detail: expect.stringMatching(/^close .*; the query answered 00$/),
    });
  });
});

describe('RefundService outcomes', () => {
  it('a refund of a paid order is created; the same refund again is current', async () => {
    const done = {
      outTradeNo: 'svc-1',
      refundNo: 'R',
      upstreamRefundNo: 'UR-1',
      amount: minorUnits(200),
      currency: 'HKD' as const,
      refundedAmount: minorUnits(200),
      refundedAt: NOW,
    };
    const { payments, refunds } = services(
      aggregator({ refundPayment: () => ok(done), queryPayment: () => ok(state('svc-1', 'paid')) }),
    );
    expect(await payments.get('checkout', 'svc-1')).toMatchObject({
      kind: 'current',
      payment: { status: 'paid' },
    });
    expect(await refunds.refund('checkout', 'svc-1', { refundNo: 'r1', amount: '2.00' })).toMatchObject({
      kind: 'created',
      refund: { refundNo: 'r1', status: 'succeeded', refundedAmount: '2.00' },
    });
    expect(await refunds.refund('checkout', 'svc-1', { refundNo: 'r1', amount: '2.00' })).toMatchObject({
      kind: 'current',
    });
  });

  it('a refund number reused for another amount is a conflict naming code 14', async () => {
    const { refunds } = services(aggregator({}));
    const err = await refunds.refund('checkout', 'svc-1', { refundNo: 'r1', amount: '3.00' }).catch((e) => e);
    expect((err as ConflictError).extras).toEqual({ code: '14', category: 'duplicate' });
  });

  it('a refund with no answer and no query answer is unknown', async () => {
    const { refunds } = services(aggregator({ refundPayment: () => timedOut, queryRefund: () => timedOut }));
    expect(await refunds.refund('checkout', 'svc-1', { refundNo: 'r2', amount: '1.00' })).toMatchObject({
      kind: 'unknown',
      refund: { status: 'pending' },
    });
  });
});
