// Two real gateway processes on one database (PostgreSQL, then one SQLite file) and one bus, the
// sandbox as the aggregator, its notify callbacks through a proxy in front of both. Each scenario
// races the two instances on the same orders, the way a load balancer or two sweepers would, and
// then checks what was recorded: one event per transition, gapless sequences, the gateway's
// record equal to the aggregator's. Each gateway serialises an order's work only within its own
// process; these scenarios are what that leaves open between processes.
//
// The fleet (processes, proxy, records) comes from @paystream/fleet (infra/fleet). `npx vitest run
// integration/fleet.test.ts` in services/gateway runs dist/main.js of this checkout
// (PAYSTREAM_GATEWAY_MAIN runs another build) on the embedded bus, or on Kafka when KAFKA_BROKERS
// is set; PostgreSQL comes from PAYSTREAM_TEST_PG_URL (else the local server).
import type { PaystreamEvent } from '@paystream/events';
import { type Fleet, type FleetAnswer, startFleet } from '@paystream/fleet';
import { parseAmount } from '@paystream/money';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fleetViolations, notOnce } from './__fixtures__/fleet-invariants.js';

const A = 0;
const B = 1;
// Above the refund scenario's 1.5 s of upstream delay, which must come back as an answer, not a
// timeout; every timeout fault costs twice this (the call, then its settling query).
const UPSTREAM_TIMEOUT_MS = 2_000;
const SWEEP_INTERVAL_MS = 100;
// An aggregator across the network answers in tens of milliseconds. On loopback it answers in
// one, and a race window between reading an order and recording the answer nearly closes (most
// visibly on SQLite, where the two processes also queue for one file lock).
const SANDBOX_LATENCY_MS = 25;
const CREATE_CONFLICTS = [
  'https://paystream.dev/problems/conflict',
  'https://paystream.dev/problems/idempotency-conflict',
];

const createBody = (no: string) => ({ outTradeNo: no, amount: '10.00', currency: 'HKD', wallet: 'WECHATHK' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** `work` for every item, `size` items at a time; the results in the items' order. */
async function inWaves<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

function bySequence(events: readonly PaystreamEvent[], no: string): PaystreamEvent[] {
  return events.filter((e) => e.subject === no).sort((a, b) => a.data.sequence - b.data.sequence);
}

describe.each(['postgres', 'sqlite'] as const)('two gateways on one %s database', (database) => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      database,
      // The embedded bus, even when the run has Kafka: what each instance recorded is read from
      // the outbox table, and these races (deliberate 64s, processes stopped mid-batch) must not
      // reach the shared topic that other suites' plugins and probes read from the beginning.
      kafkaBrokers: [],
      upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS,
      sweepIntervalMs: SWEEP_INTERVAL_MS,
      sandboxLatencyMs: SANDBOX_LATENCY_MS,
    });
  });
  afterAll(async () => {
    await fleet?.close();
  });
  afterEach(async () => {
    await fleet.controls.clearFaults();
  });

  const numbers = (label: string, n: number) =>
    Array.from({ length: n }, (_, i) => fleet.orderNo(`${label}-${i}`));

  async function createAll(nos: readonly string[], gateway: number): Promise<void> {
    const answers = await Promise.all(
      nos.map((no) => fleet.call(gateway, 'POST', '/v1/payments', createBody(no))),
    );
    expect(answers.map((a) => a.status)).toEqual(nos.map(() => 201));
  }

  async function payAll(nos: readonly string[]): Promise<void> {
    const paid = await Promise.all(nos.map((no) => fleet.controls.pay(no)));
    expect(paid.map((p) => p.body.notify?.status)).toEqual(nos.map(() => 200));
  }

  /** Waits until no event is added for these orders over a few sweep intervals. */
  async function quiet(nos: readonly string[]): Promise<void> {
    let last = -1;
    await waitUntil('no more events are recorded', async () => {
      const n = (await fleet.records.events(nos)).length;
      const still = n === last;
      last = n;
      if (!still) await sleep(5 * SWEEP_INTERVAL_MS);
      return still;
    });
  }

  it('a notify on A racing a read on B records payment.succeeded once', async () => {
    const nos = numbers('notify-read', 25);
    await createAll(nos, A);
    for (const no of nos) fleet.proxy.pin(no, A);
    // The interleaving, made certain by the aggregator's timing: B reads the order (pending) and
    // asks the aggregator, whose answer is slow; meanwhile the notify reaches A, which records the
    // payment; then B records what its query shows.
    await fleet.controls.fault({ operation: 'notify', delayMs: 100, times: nos.length });
    await fleet.controls.fault({ operation: 'query', delayMs: 300, times: nos.length });

    // The customer pays (the sandbox notifies A) while B reads the payment.
    const answers = await Promise.all(
      nos.map((no) => Promise.all([fleet.controls.pay(no), fleet.call(B, 'GET', `/v1/payments/${no}`)])),
    );
    expect(answers.map(([pay]) => pay.body.notify?.status)).toEqual(nos.map(() => 200));
    expect(answers.map(([, read]) => read.status)).toEqual(nos.map(() => 200));
    const notified = fleet.proxy.deliveries.filter((d) => nos.includes(d.outTradeNo ?? ''));
    expect(notified.map((d) => d.gateway)).toEqual(nos.map(() => A));

    const events = await fleet.records.events(nos);
    expect.soft(notOnce(events, nos, 'payment.succeeded')).toEqual({});
    expect(await fleetViolations(fleet, nos)).toEqual([]);
  });

  it('one order number created on A and on B under two Idempotency-Keys: created once', async () => {
    const nos = numbers('two-keys', 25);
    // A few orders at a time: with every order at once, the two processes' writes queue for the
    // SQLite file lock in bursts, and one instance mostly finds the other's create finished.
    const answers = await inWaves(nos, 5, (no) =>
      Promise.all([
        fleet.call(A, 'POST', '/v1/payments', createBody(no), `ka-${no}`),
        fleet.call(B, 'POST', '/v1/payments', createBody(no), `kb-${no}`),
      ]),
    );

    const events = await fleet.records.events(nos);
    expect.soft(notOnce(events, nos, 'payment.created')).toEqual({});
    // Each caller hears of the one upstream order, or a documented conflict.
    const wrong: string[] = [];
    for (const [i, no] of nos.entries()) {
      const upstream = await fleet.controls.order(no);
      if (!upstream) wrong.push(`${no}: the sandbox has no order`);
      for (const [gateway, answer] of answers[i]!.entries()) {
        if (!describesOrder(answer, no, upstream?.trade_no) && !isConflict(answer)) {
          wrong.push(
            `${no} on ${gateway === A ? 'A' : 'B'}: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
      }
    }
    expect.soft(wrong).toEqual([]);
    expect(await fleetViolations(fleet, nos)).toEqual([]);
  });

  it('two sweepers settling the same create intents record payment.created once', async () => {
    const nos = numbers('sweep', 30);
    // The aggregator takes each create but never answers, nor the settling query: every create
    // answers 202 and leaves its intent for the sweepers of both instances.
    await fleet.controls.fault({ operation: 'create', timeout: true, apply: true, times: nos.length });
    await fleet.controls.fault({ operation: 'query', timeout: true, times: nos.length });
    const answers = await Promise.all(
      nos.map((no, i) => fleet.call(i % 2, 'POST', '/v1/payments', createBody(no), `sweep-${no}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(nos.map(() => 202));
    await fleet.controls.clearFaults();

    await waitUntil('the sweepers settle every intent', async () => {
      return (await fleet.records.openIntents(nos)).length === 0;
    });
    await quiet(nos);

    const events = await fleet.records.events(nos);
    expect.soft(notOnce(events, nos, 'payment.created')).toEqual({});
    expect(await fleetViolations(fleet, nos)).toEqual([]);
  });

  it('cancel on A and on B: canceled once, and the record stays canceled', async () => {
    const nos = numbers('cancel', 20);
    await createAll(nos, A);
    await payAll(nos);

    const answers = await Promise.all(
      nos.map((no) => Promise.all([A, B].map((g) => fleet.call(g, 'POST', `/v1/payments/${no}/cancel`)))),
    );
    // One of the two canceled it upstream.
    expect(answers.map((pair) => pair.some((a) => a.status === 200 && a.body.status === 'canceled'))).toEqual(
      nos.map(() => true),
    );
    const rows = await Promise.all(nos.map((no) => fleet.records.order(no)));
    const notCanceled = nos.flatMap((no, i) =>
      rows[i]?.status === 'canceled' ? [] : [`${no}: ${rows[i]?.status}`],
    );
    expect.soft(notCanceled).toEqual([]);

    // Reading it afterwards, on either instance, finds nothing new to record.
    const before = await fleet.records.events(nos);
    await Promise.all(
      nos.map(async (no) => {
        for (const g of [A, B]) expect((await fleet.call(g, 'GET', `/v1/payments/${no}`)).status).toBe(200);
      }),
    );
    const after = await fleet.records.events(nos);
    expect.soft(after.slice(before.length).map((e) => `${e.subject}: ${e.type}`)).toEqual([]);

    expect.soft(notOnce(after, nos, 'payment.canceled')).toEqual({});
    expect(await fleetViolations(fleet, nos)).toEqual([]);
  });

  it('close on A and on B: closed once', async () => {
    const nos = numbers('close', 20);
    await createAll(nos, A);

    const answers = await Promise.all(
      nos.map((no) => Promise.all([A, B].map((g) => fleet.call(g, 'POST', `/v1/payments/${no}/close`)))),
    );
    // One of the two closed it upstream.
    expect(answers.map((pair) => pair.some((a) => a.status === 200 && a.body.status === 'closed'))).toEqual(
      nos.map(() => true),
    );

    const events = await fleet.records.events(nos);
    expect.soft(notOnce(events, nos, 'payment.closed')).toEqual({});
    expect(await fleetViolations(fleet, nos)).toEqual([]);
  });

  it('a refund refused late on B does not write back the row A refunded meanwhile', async () => {
    const nos = numbers('refund', 15);
    await createAll(nos, A);
    await payAll(nos);

    // r1 (1.00) on B: the aggregator holds it 1.5 s, then refuses it (64, not applied).
    await fleet.controls.fault({ operation: 'refund', delayMs: 1_500, code: '64', times: nos.length });
    const sent = Date.now();
    const first = Promise.all(
      nos.map((no) =>
        fleet.call(B, 'POST', `/v1/payments/${no}/refunds`, { refundNo: 'r1', amount: '1.00' }),
      ),
    );
    // Every r1 holds its fault before r2 leaves, so no r2 meets one.
    await waitUntil('every r1 reached the sandbox', async () => (await fleet.faults()).length === 0);
    await sleep(Math.max(0, sent + 400 - Date.now()));
    // r2 (the full 10.00) on A, answered while r1 is still held.
    const second = await Promise.all(
      nos.map((no) =>
        fleet.call(A, 'POST', `/v1/payments/${no}/refunds`, { refundNo: 'r2', amount: '10.00' }),
      ),
    );
    expect(second.map((a) => [a.status, a.body.status, a.body.refundedAmount])).toEqual(
      nos.map(() => [201, 'succeeded', '10.00']),
    );
    expect((await first).map((a) => [a.status, a.body.code])).toEqual(nos.map(() => [409, '64']));

    const rows = await Promise.all(nos.map((no) => fleet.records.order(no)));
    const upstream = await Promise.all(nos.map((no) => fleet.controls.order(no)));
    expect(upstream.map((o) => [o?.status, o?.refunded_amount])).toEqual(
      nos.map(() => ['REFUNDED', '10.00']),
    );
    const full = parseAmount('10.00', 'HKD');
    const notRefunded = nos.flatMap((no, i) =>
      rows[i]?.status === 'refunded' && rows[i]?.refunded_minor === full
        ? []
        : [`${no}: ${rows[i]?.status} ${rows[i]?.refunded_minor}`],
    );
    expect.soft(notRefunded).toEqual([]);

    // The refunded total the events carry only grows.
    const events = await fleet.records.events(nos);
    const backwards = nos.flatMap((no) => {
      const totals = bySequence(events, no).flatMap((e) =>
        e.data.refundedTotalMinor === undefined ? [] : [e.data.refundedTotalMinor],
      );
      return totals.some((t, i) => i > 0 && t < totals[i - 1]!) ? [`${no}: ${totals.join(' -> ')}`] : [];
    });
    expect.soft(backwards).toEqual([]);
    expect(await fleetViolations(fleet, nos)).toEqual([]);
  });
});

/** A create's answer that describes the order the sandbox holds. */
function describesOrder(answer: FleetAnswer, no: string, upstreamTradeNo: unknown): boolean {
  return (
    (answer.status === 200 || answer.status === 201) &&
    answer.body?.outTradeNo === no &&
    answer.body.status === 'pending' &&
    answer.body.amount === '10.00' &&
    answer.body.currency === 'HKD' &&
    answer.body.wallet === 'WECHATHK' &&
    upstreamTradeNo !== undefined &&
    answer.body.upstreamTradeNo === upstreamTradeNo
  );
}

/** A 409 the create documents: the number is taken, or the same request is still running. */
function isConflict(answer: FleetAnswer): boolean {
  return answer.status === 409 && CREATE_CONFLICTS.includes(answer.body?.type);
}
