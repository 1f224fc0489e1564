// The workload: a few callers, each a loop of mixed operations on the fleet's public address with
// @paystream/client and its retries, and the customers at the aggregator (the sandbox's controls):
// creates, payments (whose notify reaches the gateways through the proxy), reads, refunds,
// cancels, closes, payments after a close, a create repeated under its Idempotency-Key, a notify
// delivered again. Each caller guesses an order's state from the answers it got; a wrong guess is
// a refusal, itself a valid operation to check.
//
// A write that ended without a final answer (202 unknown, no answer at all, its key still busy
// after a crash) is repeated later under the same Idempotency-Key, as a service that took the
// client's advice would; `settle()` repeats them all until each has its final answer.
import {
  type CreatePaymentInput,
  createPaystreamClient,
  fromMinorUnits,
  type Outcome,
  type PaystreamClient,
  PaystreamProblemError,
  toMinorUnits,
} from '@paystream/client';
import type { Currency } from '@paystream/money';
import type { SandboxControls } from '@paystream/upstream-sandbox';
import { sawError } from '../checker/answers.js';
import type { Operation, OperationKind } from '../history.js';
import type { Recorder } from './recorder.js';

export interface WorkloadOptions {
  /** The fleet's public address (the proxy). */
  baseUrl: string;
  apiKey: string;
  controls: SandboxControls;
  recorder: Recorder;
  /** Order numbers start with it (unique per run). */
  prefix: string;
  /** Callers working at once. Default 4. */
  callers?: number;
  /** Pause between one caller's operations, drawn from [min, max] ms. Default 40–200. */
  pauseMs?: readonly [number, number];
  /** Random source, for a reproducible mix. Default Math.random. */
  random?: () => number;
}

type Belief =
  | 'creating'
  | 'unknown'
  | 'failed'
  | 'pending'
  | 'paid'
  | 'paid_after_close'
  | 'partially_refunded'
  | 'refunded'
  | 'canceled'
  | 'closed';

interface KnownOrder {
  no: string;
  currency: Currency;
  wallet: Wallet;
  amountMinor: number;
  belief: Belief;
  refundedMinor: number;
  refunds: number;
  createKey: string;
  createOp: number;
}

/** A write to repeat under its key until it gets a final answer. */
interface Unfinished {
  kind: OperationKind;
  no: string;
  refundNo?: string;
  key: string;
  first: number;
  send: (key: string) => Promise<Outcome<unknown>>;
  tries: number;
}

type Wallet = CreatePaymentInput['wallet'];

const PAIRS: readonly { wallet: Wallet; currency: Currency }[] = [
  { wallet: 'WECHATHK', currency: 'HKD' },
  { wallet: 'ALIPAYHK', currency: 'HKD' },
  { wallet: 'ALIPAYCN', currency: 'CNY' },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Workload {
  /** Order numbers the workload used, created or not. */
  orders(): string[];
  /** Stops starting operations; resolves once every caller's operation in flight has ended. */
  stop(): Promise<void>;
  /** Repeats every unfinished write under its key until each has a final answer (or `deadline`). */
  settle(deadline: number): Promise<{ repeated: number; left: number }>;
}

export function startWorkload(opts: WorkloadOptions): Workload {
  const random = opts.random ?? Math.random;
  const [pauseMin, pauseMax] = opts.pauseMs ?? [40, 200];
  const recorder = opts.recorder;
  const client: PaystreamClient = createPaystreamClient({
    baseUrl: opts.baseUrl,
    apiKey: opts.apiKey,
    // Longer than a gateway's worst case (the call, then its settling query), so an attempt ends
    // with the gateway's answer; enough retries to outlast a gateway's SIGKILL and its claims.
    timeoutMs: 15_000,
    retry: { attempts: 6, baseDelayMs: 200, maxDelayMs: 2_000 },
    fetch: recorder.fetch,
  });
  const orders: KnownOrder[] = [];
  const unfinished: Unfinished[] = [];
  let created = 0;
  let running = true;
  const pick = <T>(items: readonly T[]): T | undefined =>
    items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
  const inBelief = (...beliefs: Belief[]) => orders.filter((o) => beliefs.includes(o.belief));

  /** Learns from an answer's body what the order is now. */
  const learn = (order: KnownOrder, op: Operation) => {
    const body = op.body as { status?: string; refundedAmount?: string; outcome?: string } | undefined;
    if (op.outcome === 'done' && body?.status) {
      if (op.kind === 'refund') {
        if (body.refundedAmount) order.refundedMinor = toMinorUnits(body.refundedAmount, order.currency);
        order.belief = order.refundedMinor >= order.amountMinor ? 'refunded' : 'partially_refunded';
      } else {
        order.belief = body.status as Belief;
        if (body.refundedAmount) order.refundedMinor = toMinorUnits(body.refundedAmount, order.currency);
      }
    }
    if (op.outcome === 'refused' && op.kind === 'create') order.belief = 'failed';
  };

  /** One client call as an operation; a problem is a `refused` answer, anything else thrown an `error`. */
  const call = (
    start: Omit<Operation, 'id' | 'startedAt' | 'endedAt' | 'outcome'>,
    send: () => Promise<Outcome<unknown>>,
  ) =>
    recorder.record(start, async () => {
      try {
        const r = await send();
        return {
          outcome: r.outcome === 'done' ? 'done' : 'unknown',
          status: r.status,
          body: r.value,
          attempts: r.attempts,
        };
      } catch (err) {
        if (!(err instanceof PaystreamProblemError)) throw err;
        return {
          outcome: 'refused',
          status: err.status,
          body: { type: err.type, title: err.title, status: err.status, code: err.code, detail: err.detail },
        };
      }
    });

  /**
   * Whether the caller must repeat the write under its key: no final answer yet (202, no answer, a
   * gateway failure, the key still busy). An aggregator's refusal is final for its key.
   */
  const open = (op: Operation) => op.outcome === 'unknown' || sawError(op);

  /** A write under a key: recorded, learned from, and queued again while it has no final answer. */
  const write = async (
    kind: OperationKind,
    order: KnownOrder,
    key: string,
    send: (key: string) => Promise<Outcome<unknown>>,
    extra: { refundNo?: string; repeatOf?: number } = {},
  ): Promise<Operation> => {
    const op = await call({ kind, outTradeNo: order.no, idempotencyKey: key, ...extra }, () => send(key));
    learn(order, op);
    // The aggregator failed the create (a 5xx with its code, e.g. -99): the caller tries the number
    // again under a new key, once; the gateway lets a failed number be created again.
    if (
      kind === 'create' &&
      op.outcome === 'refused' &&
      (op.status ?? 0) >= 500 &&
      op.body?.code !== undefined &&
      !key.endsWith('-again')
    ) {
      unfinished.push({ kind, no: order.no, key: `${key}-again`, send, first: op.id, tries: 0 });
    }
    if (open(op)) {
      unfinished.push({
        kind,
        no: order.no,
        key,
        send,
        first: extra.repeatOf ?? op.id,
        tries: 0,
        ...(extra.refundNo ? { refundNo: extra.refundNo } : {}),
      });
    }
    return op;
  };

  const actions: { weight: number; run: () => Promise<unknown> | undefined }[] = [
    {
      weight: 4,
      run: () => {
        const pair = pick(PAIRS)!;
        const no = `${opts.prefix}-${++created}`;
        const amountMinor = 100 + Math.floor(random() * 50_000);
        const key = `create-${no}`;
        const order: KnownOrder = {
          no,
          ...pair,
          amountMinor,
          belief: 'creating',
          refundedMinor: 0,
          refunds: 0,
          createKey: key,
          createOp: 0,
        };
        orders.push(order);
        const input = {
          outTradeNo: no,
          amount: fromMinorUnits(amountMinor, pair.currency),
          currency: pair.currency,
          wallet: pair.wallet,
        };
        return write('create', order, key, (k) => client.createPayment(input, { idempotencyKey: k })).then(
          (op) => {
            order.createOp = op.id;
            if (order.belief === 'creating') order.belief = 'unknown';
          },
        );
      },
    },
    {
      // The same create again under its key, as a caller's retry after a lost answer would.
      weight: 0.6,
      run: () => {
        const order = pick(orders.filter((o) => o.createOp > 0));
        if (!order) return undefined;
        const input = {
          outTradeNo: order.no,
          amount: fromMinorUnits(order.amountMinor, order.currency),
          currency: order.currency,
          wallet: order.wallet,
        };
        return write(
          'create',
          order,
          order.createKey,
          (k) => client.createPayment(input, { idempotencyKey: k }),
          { repeatOf: order.createOp },
        );
      },
    },
    {
      weight: 3,
      run: () => {
        const order = pick(inBelief('pending', 'unknown'));
        if (!order) return undefined;
        return recorder
          .record({ kind: 'pay', outTradeNo: order.no }, async () => {
            const paid = await opts.controls.pay(order.no);
            return { outcome: 'ok', status: paid.status, body: { notify: paid.body.notify } };
          })
          .then((op) => {
            if (op.status === 200) order.belief = 'paid';
          });
      },
    },
    {
      weight: 0.4,
      run: () => {
        const order = pick(inBelief('closed'));
        if (!order) return undefined;
        return recorder
          .record({ kind: 'late-pay', outTradeNo: order.no }, async () => {
            const paid = await opts.controls.pay(order.no, { late: true });
            return { outcome: 'ok', status: paid.status, body: { notify: paid.body.notify } };
          })
          .then((op) => {
            if (op.status === 200) order.belief = 'paid_after_close';
          });
      },
    },
    {
      weight: 0.6,
      run: () => {
        const order = pick(
          inBelief('paid', 'paid_after_close', 'partially_refunded', 'refunded', 'canceled'),
        );
        if (!order) return undefined;
        return recorder.record({ kind: 'redeliver', outTradeNo: order.no }, async () => {
          const notify = await opts.controls.redeliverNotify(order.no);
          return { outcome: 'ok', status: notify.status ?? 0, body: notify };
        });
      },
    },
    {
      weight: 2.5,
      run: () => {
        const order = pick(orders);
        if (!order) return undefined;
        return call({ kind: 'read', outTradeNo: order.no }, () => client.getPayment(order.no)).then((op) =>
          learn(order, op),
        );
      },
    },
    {
      weight: 1.5,
      run: () => {
        const order = pick(inBelief('paid', 'paid_after_close', 'partially_refunded'));
        if (!order) return undefined;
        const left = order.amountMinor - order.refundedMinor;
        if (left <= 0) return undefined;
        // Half the time what is left, else a part of it (at least 0.01).
        const amount = random() < 0.5 || left < 2 ? left : 1 + Math.floor(random() * (left - 1));
        const refundNo = `r${++order.refunds}`;
        const input = { refundNo, amount: fromMinorUnits(amount, order.currency) };
        return write(
          'refund',
          order,
          `refund-${order.no}-${refundNo}`,
          (k) => client.refundPayment(order.no, input, { idempotencyKey: k }),
          { refundNo },
        );
      },
    },
    {
      weight: 0.5,
      run: () => {
        const order = pick(inBelief('paid'));
        if (!order) return undefined;
        return write('cancel', order, `cancel-${order.no}-${Date.now()}`, (k) =>
          client.cancelPayment(order.no, { idempotencyKey: k }),
        );
      },
    },
    {
      weight: 0.8,
      run: () => {
        const order = pick(inBelief('pending', 'unknown'));
        if (!order) return undefined;
        return write('close', order, `close-${order.no}-${Date.now()}`, (k) =>
          client.closePayment(order.no, { idempotencyKey: k }),
        );
      },
    },
  ];
  const totalWeight = actions.reduce((s, a) => s + a.weight, 0);
  const chooseAction = () => {
    let r = random() * totalWeight;
    for (const a of actions) {
      r -= a.weight;
      if (r < 0) return a;
    }
    return actions[0]!;
  };

  const repeatOne = async (u: Unfinished) => {
    u.tries += 1;
    const order = orders.find((o) => o.no === u.no)!;
    return write(u.kind, order, u.key, u.send, {
      repeatOf: u.first,
      ...(u.refundNo ? { refundNo: u.refundNo } : {}),
    });
  };

  const callerLoop = async () => {
    while (running) {
      // Now and then a caller comes back to a write that had no final answer.
      const due = unfinished.length > 0 && random() < 0.15 ? unfinished.shift() : undefined;
      if (due) {
        await repeatOne(due);
      } else {
        await chooseAction().run();
      }
      await sleep(pauseMin + random() * (pauseMax - pauseMin));
    }
  };
  const loops = Array.from({ length: opts.callers ?? 4 }, () => callerLoop());

  return {
    orders: () => orders.map((o) => o.no),
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    async settle(deadline) {
      let repeated = 0;
      while (unfinished.length > 0 && Date.now() < deadline) {
        // A write that still has no final answer after many tries is left for the checker to judge.
        const batch = unfinished.splice(0).filter((u) => u.tries < 30);
        for (let i = 0; i < batch.length; i += 8) {
          await Promise.all(batch.slice(i, i + 8).map(repeatOne));
          repeated += Math.min(8, batch.length - i);
        }
        if (unfinished.length > 0) await sleep(1_000);
      }
      return { repeated, left: unfinished.length };
    },
  };
}
