// The crash-point suite: the sandbox runs as its own process; only the gateway dies,
// by SIGKILL, at each crash point of create, refund, cancel and close (PAYSTREAM_FAILPOINT). After
// the restart and its start-up sweep, the gateway's record equals the aggregator's for the order,
// no Idempotency-Key is stuck, each transition's event is there once, and the caller's retry
// gets the true outcome. Then the graceful half: SIGTERM with creates in flight loses none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, SCOPES, worstCaseRequestMs } from '@paystream/config';
import { type Kysely, openDatabase } from '@paystream/db';
import { type RunningProcess, startGatewayProcess, startSandboxProcess } from '@paystream/fleet';
import { SANDBOX_DEV_CREDENTIALS, sandboxControls } from '@paystream/upstream-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_OF_WIRE } from '../src/__fixtures__/wire-status.js';
import type { GatewaySchema } from '../src/store/schema.js';

const KEY = 'psk_crash_suite_key';
// Short enough to keep the suite quick, long enough that a loaded two-core runner answers in time.
const UPSTREAM_TIMEOUT_MS = 1_000;
const STALE_MS = worstCaseRequestMs(UPSTREAM_TIMEOUT_MS);

let sandbox: { url: string; process: RunningProcess };
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paystream-crash-'));
  sandbox = await startSandboxProcess();
});
afterAll(async () => {
  await sandbox?.process.stop();
  rmSync(dir, { recursive: true, force: true });
});

function gateway(name: string, failpoint?: string) {
  return startGatewayProcess({
    PORT: '0',
    UPSTREAM_BASE_URL: sandbox.url,
    UPSTREAM_USER_CONFIRM_KEY: SANDBOX_DEV_CREDENTIALS.userConfirmKey,
    UPSTREAM_PRIVATE_KEY: SANDBOX_DEV_CREDENTIALS.privateKey,
    UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
    EMBEDDED_BUS_FILE: join(dir, `${name}-bus.sqlite`),
    PAYSTREAM_API_KEYS: JSON.stringify([
      { caller: 'checkout', sha256: hashApiKey(KEY), scopes: [...SCOPES] },
    ]),
    OUTBOX_POLL_INTERVAL_MS: '50',
    SWEEP_INTERVAL_MS: '250',
    LOG_LEVEL: 'info',
    ...(failpoint ? { PAYSTREAM_FAILPOINT: failpoint } : {}),
  });
}

const call = (url: string, method: string, path: string, body?: unknown, key?: string) =>
  fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

type Op = 'create' | 'refund' | 'cancel' | 'close';
const OPS: Op[] = ['create', 'refund', 'cancel', 'close'];
const POINTS = ['before-upstream', 'after-upstream', 'after-commit'] as const;

/** What the operation asks for, on an order prepared for it. */
function request(op: Op, no: string): { method: string; path: string; body?: unknown } {
  switch (op) {
    case 'create':
      return {
        method: 'POST',
        path: '/v1/payments',
        body: { outTradeNo: no, amount: '10.00', currency: 'HKD', wallet: 'WECHATHK' },
      };
    case 'refund':
      return { method: 'POST', path: `/v1/payments/${no}/refunds`, body: { refundNo: 'r1', amount: '4.00' } };
    case 'cancel':
    case 'close':
      return { method: 'POST', path: `/v1/payments/${no}/${op}` };
  }
}

/** What the retry must find, whichever crash point the first attempt died at. */
const OUTCOME: Record<
  Op,
  { status: number[]; body: Record<string, unknown>; upstream: string; refunds: number }
> = {
  create: { status: [200, 201], body: { status: 'pending' }, upstream: 'PENDING', refunds: 0 },
  refund: {
    status: [200, 201],
    body: { status: 'succeeded', refundedAmount: '4.00' },
    upstream: 'PARTIALLY_REFUNDED',
    refunds: 1,
  },
  cancel: { status: [200], body: { status: 'canceled' }, upstream: 'CANCELED', refunds: 0 },
  close: { status: [200], body: { status: 'closed' }, upstream: 'CLOSED', refunds: 0 },
};

describe.concurrent('SIGKILL at every crash point', () => {
  for (const point of POINTS) {
    it(`create, refund, cancel and close killed ${point}: settled after the restart, retries get the truth`, async ({
      expect,
    }) => {
      // One database per crash point: a gateway life per operation, each killed at the point,
      // then one restart that has to settle all four.
      const name = point;
      const controls = sandboxControls(sandbox.url);
      const no = (op: Op) => `crash-${op}-${point}-${process.pid}`;
      const key = (op: Op) => `${op}-${point}-key`;
      let killedAt = 0;
      for (const op of OPS) {
        const life = await gateway(name, `${op}:${point}`);
        try {
          if (op !== 'create') {
            expect(
              (await call(life.url, 'POST', '/v1/payments', request('create', no(op)).body)).status,
            ).toBe(201);
            if (op !== 'close') expect((await controls.pay(no(op))).body.notify?.status).toBe(200);
          }
          const r = request(op, no(op));
          await expect(call(life.url, r.method, r.path, r.body, key(op))).rejects.toThrow();
          expect((await life.process.exited).signal, op).toBe('SIGKILL');
          killedAt = Date.now();
        } finally {
          await life.process.stop();
        }
      }

      // What the dead processes left is settled by the next one's start-up sweep, once nothing
      // can be in flight any more (the worst-case request time).
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, killedAt + STALE_MS + 100 - Date.now())),
      );
      const second = await gateway(name);
      const database = openDatabase<GatewaySchema>({ url: `sqlite:${join(dir, `${name}.sqlite`)}` });
      const db = database.db as Kysely<GatewaySchema>;
      try {
        // The first sweep that leaves nothing open (the start-up one, unless a query went unanswered).
        await second.process.waitFor((l) => l.msg === 'intent sweep' && l.open === 0);
        for (const op of OPS) {
          const order = await db
            .selectFrom('gateway_orders')
            .selectAll()
            .where('out_trade_no', '=', no(op))
            .executeTakeFirst();
          const upstream = await controls.order(no(op));
          // The record equals the aggregator's: the order's status and refunded total, no open intent.
          if (upstream) {
            expect(order?.status, op).toBe(STATUS_OF_WIRE[String(upstream.status)]);
            expect(order?.refunded_minor, op).toBe(Math.round(Number(upstream.refunded_amount) * 100));
          } else {
            expect(order?.status ?? 'failed', op).toBe('failed');
          }
          expect(order?.intent ?? null, op).toBeNull();
        }
        const pending = await db
          .selectFrom('gateway_refunds')
          .select('refund_no')
          .where('status', '=', 'pending')
          .execute();
        expect(pending).toEqual([]);

        for (const op of OPS) {
          // The caller retries with the same key: not stuck, and the truth.
          const r = request(op, no(op));
          const retry = await call(second.url, r.method, r.path, r.body, key(op));
          const body = (await retry.json()) as Record<string, unknown>;
          expect(OUTCOME[op].status, `${op}: ${JSON.stringify(body)}`).toContain(retry.status);
          expect(body, op).toMatchObject(OUTCOME[op].body);
          const after = await controls.order(no(op));
          expect(after?.status, op).toBe(OUTCOME[op].upstream);
          expect((after?.refunds as unknown[] | undefined)?.length, op).toBe(OUTCOME[op].refunds);

          // Each transition's event once.
          const outbox = database.db as unknown as Kysely<{
            paystream_outbox: { type: string; subject: string };
          }>;
          const events = await outbox
            .selectFrom('paystream_outbox')
            .select('type')
            .where('subject', '=', no(op))
            .execute();
          const count = (type: string) => events.filter((e) => e.type === type).length;
          expect(count('payment.created'), op).toBe(1);
          expect(count('payment.succeeded'), op).toBe(op === 'refund' || op === 'cancel' ? 1 : 0);
          expect(count('refund.succeeded'), op).toBe(op === 'refund' ? 1 : 0);
          expect(count('payment.canceled'), op).toBe(op === 'cancel' ? 1 : 0);
          expect(count('payment.closed'), op).toBe(op === 'close' ? 1 : 0);
        }
        const stuck = await db
          .selectFrom('gateway_idempotency')
          .select('key')
          .where('status', '=', 0)
          .execute();
        expect(stuck).toEqual([]);
      } finally {
        await database.destroy();
        await second.process.stop();
      }
    }, 120_000);
  }
});

describe('SIGTERM with creates in flight', () => {
  it('waits for them (or leaves only intents), and after the restart none is lost or stuck', async () => {
    const controls = sandboxControls(sandbox.url);
    const gw = await gateway('sigterm');
    const nos = Array.from({ length: 10 }, (_, i) => `term-${process.pid}-${i}`);
    try {
      // The aggregator applies every create but never answers; the settling query is slow.
      await controls.fault({ operation: 'create', timeout: true, times: 10 });
      await controls.fault({ operation: 'query', delayMs: UPSTREAM_TIMEOUT_MS + 500, times: 10 });
      const answers = nos.map((no, i) =>
        call(gw.url, 'POST', '/v1/payments', request('create', no).body, `term-${i}`).then(
          (res) => res.status,
          () => 'no answer',
        ),
      );
      // SIGTERM once the aggregator holds all ten: each request is in flight, its answer lost.
      while ((await Promise.all(nos.map((no) => controls.order(no)))).some((o) => o === undefined)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      gw.process.child.kill('SIGTERM');
      const statuses = await Promise.all(answers);
      expect((await gw.process.exited).code).toBe(0);
      // Every create in flight got its honest answer before the process went.
      expect(statuses).toEqual(nos.map(() => 202));
    } finally {
      await gw.process.stop();
      await controls.clearFaults();
    }
    await new Promise((resolve) => setTimeout(resolve, STALE_MS + 100));
    const again = await gateway('sigterm');
    try {
      await again.process.waitFor((l) => l.msg === 'intent sweep' && l.open === 0);
      for (const [i, no] of nos.entries()) {
        const res = await call(again.url, 'POST', '/v1/payments', request('create', no).body, `term-${i}`);
        expect(res.status).not.toBe(409);
        expect(((await res.json()) as { status: string }).status).toBe('pending');
        expect((await controls.order(no))?.status).toBe('PENDING');
      }
    } finally {
      await again.process.stop();
    }
  }, 60_000);
});
