import { describe as describeCode } from '@paystream/codes';
import type { Currency, MinorUnits } from '@paystream/money';
import type { PaymentState, UpstreamClient, UpstreamResult, Wallet } from '@paystream/upstream-client';
import { ConflictError, NotFoundError, UpstreamRejectedError } from '../errors.js';
import { type Db, findOrder, listRefunds, type Order } from '../store/orders.js';
import type { OrderStatus } from '../store/schema.js';
import type { EventSpec } from './events.js';
import type { OrderLock } from './order-lock.js';
import type { Recorder } from './recorder.js';
import { paymentView } from './views.js';

/** What a service call answers: the HTTP status and the JSON body (problems are thrown). */
export interface Answer {
  status: number;
  body: unknown;
}

export interface CreatePaymentCommand {
  outTradeNo: string;
  amount: MinorUnits;
  currency: Currency;
  wallet: Wallet;
  description?: string | undefined;
  notifyUrl?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface PaymentServiceDeps {
  db: Db;
  upstream: UpstreamClient;
  recorder: Recorder;
  /** The URL the aggregator calls back (this gateway's /v1/notifications/upstream). */
  notifyUrl: () => string;
  lock: OrderLock;
}

const STATUS_OF: Record<PaymentState['status'], OrderStatus> = {
  pending: 'pending',
  paid: 'paid',
  partially_refunded: 'partially_refunded',
  refunded: 'refunded',
  canceled: 'canceled',
  closed: 'closed',
};

/** Events an observed status change stands for (a query or notify seeing what happened). */
export function transitionEvents(
  from: OrderStatus,
  to: OrderStatus,
  operation: 'query' | 'notify',
): EventSpec[] {
  const ok = { operation, code: '00', category: 'success' } as const;
  const events: EventSpec[] = [];
  if (from === 'unknown' || from === 'failed') events.push({ type: 'payment.created', ...ok });
  const wasPaid = ['paid', 'partially_refunded', 'refunded'].includes(from);
  const isPaid = ['paid', 'partially_refunded', 'refunded'].includes(to);
  if (isPaid && !wasPaid) events.push({ type: 'payment.succeeded', ...ok });
  if (to === 'canceled' && from !== 'canceled') events.push({ type: 'payment.canceled', ...ok });
  if (to === 'closed' && from !== 'closed') events.push({ type: 'payment.closed', ...ok });
  return events;
}

/** Payments: create, read, cancel, close. Every upstream result is recorded before answering. */
export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  /** The caller's order, or 404 (another caller's order is as good as absent). */
  async ownOrder(caller: string, outTradeNo: string): Promise<Order> {
    const order = await findOrder(this.deps.db, outTradeNo);
    if (!order || order.caller !== caller) throw new NotFoundError(`No payment ${outTradeNo}`);
    return order;
  }

  async view(order: Order): Promise<ReturnType<typeof paymentView>> {
    return paymentView(order, await listRefunds(this.deps.db, order.out_trade_no));
  }

  create(caller: string, cmd: CreatePaymentCommand): Promise<Answer> {
    return this.deps.lock.run(cmd.outTradeNo, () => this.createLocked(caller, cmd));
  }

  private async createLocked(caller: string, cmd: CreatePaymentCommand): Promise<Answer> {
    const { upstream, recorder } = this.deps;
    const existing = await findOrder(this.deps.db, cmd.outTradeNo);
    const now = recorder.now();
    if (existing && existing.status !== 'failed' && existing.status !== 'unknown') {
      // A retry of the same create is answered from the record; anything else reuses the number.
      if (sameOrder(existing, caller, cmd)) return { status: 200, body: await this.view(existing) };
      throw new ConflictError(`outTradeNo ${cmd.outTradeNo} is already used`, describeCode('03'));
    }
    if (existing && existing.caller !== caller) {
      throw new ConflictError(`outTradeNo ${cmd.outTradeNo} is already used`, describeCode('03'));
    }
    const base: Omit<Order, 'sequence'> = {
      out_trade_no: cmd.outTradeNo,
      caller,
      amount_minor: cmd.amount,
      currency: cmd.currency,
      wallet: cmd.wallet,
      status: existing?.status ?? 'unknown',
      upstream_trade_no: existing?.upstream_trade_no ?? null,
      qr_code_url: null,
      pay_url: null,
      description: cmd.description ?? null,
      notify_url: cmd.notifyUrl ?? null,
      metadata: cmd.metadata ? JSON.stringify(cmd.metadata) : null,
      refunded_minor: 0,
      last_code: existing?.last_code ?? null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
      paid_at: null,
    };

    // No double charge: before creating again after an unknown outcome (or a code whose advice is
    // "query first"), ask the aggregator whether the first attempt took effect.
    if (existing && (existing.status === 'unknown' || retryAfterQuery(existing.last_code))) {
      const settled = await this.settleCreate(base, 'an earlier attempt had no clear outcome');
      if (settled.answer) return settled.answer;
    }

    const result = await upstream.createPayment({
      outTradeNo: cmd.outTradeNo,
      amount: cmd.amount,
      currency: cmd.currency,
      wallet: cmd.wallet,
      notifyUrl: this.deps.notifyUrl(),
      ...(cmd.description !== undefined ? { description: cmd.description } : {}),
    });
    if (result.outcome === 'success') {
      const { order } = await recorder.commit(
        {
          ...base,
          status: 'pending',
          upstream_trade_no: result.data.upstreamTradeNo,
          qr_code_url: result.data.qrCodeUrl,
          pay_url: result.data.payUrl,
          last_code: '00',
        },
        [{ type: 'payment.created', operation: 'create', code: '00', category: 'success' }],
      );
      return { status: 201, body: await this.view(order) };
    }
    if (result.outcome === 'rejected') {
      // Another gateway instance may have created this order meanwhile (the refusal is then 03
      // or -99): a refusal never overwrites an order that exists.
      await recorder.commit(
        { ...base, status: 'failed', last_code: result.code },
        [rejectedEvent('payment.failed', 'create', result)],
        undefined,
        undefined,
        (current) => current.status === 'failed' || current.status === 'unknown',
      );
      throw new UpstreamRejectedError(result.entry, result.message, 'create');
    }
    const settled = await this.settleCreate(base, `create ${result.reason}`);
    if (settled.answer) return settled.answer;
    return this.unknownCreate(
      base,
      `create ${result.reason}; the order is not visible upstream yet (query answered 31)`,
      settled.query,
    );
  }

  /**
   * Asks the aggregator whether an order exists. Found: records it and answers 201. Not found
   * (31): no answer, a create is safe. Anything else: an honest 202 "unknown".
   */
  private async settleCreate(
    base: Omit<Order, 'sequence'>,
    why: string,
  ): Promise<{ answer?: Answer; query: UpstreamResult<PaymentState> }> {
    const q = await this.deps.upstream.queryPayment({ outTradeNo: base.out_trade_no, wallet: base.wallet });
    if (q.outcome === 'success') {
      const status = STATUS_OF[q.data.status];
      const events = transitionEvents('unknown', status, 'query');
      const { order } = await this.deps.recorder.commit(
        {
          ...base,
          ...fromState(q.data),
          status,
          last_code: '00',
          paid_at: q.data.paidAt ?? null,
        },
        events,
      );
      return { answer: { status: 201, body: await this.view(order) }, query: q };
    }
    if (q.outcome === 'rejected' && q.code === '31') return { query: q };
    return { answer: await this.unknownCreate(base, `${why}; the query ${describeOutcome(q)}`, q), query: q };
  }

  private async unknownCreate(
    base: Omit<Order, 'sequence'>,
    message: string,
    q: UpstreamResult<unknown> | null,
  ): Promise<Answer> {
    const coded = q && q.outcome === 'rejected' ? q : undefined;
    const { order } = await this.deps.recorder.commit({ ...base, status: 'unknown', last_code: null }, [
      {
        type: 'payment.pending',
        operation: coded ? 'query' : 'create',
        code: coded?.code ?? null,
        category: coded?.entry.category ?? 'unknown',
        message,
      },
    ]);
    return { status: 202, body: { ...(await this.view(order)), detail: message } };
  }

  /** Reads a payment, refreshed from the aggregator; a state change there is recorded with its events. */
  get(caller: string, outTradeNo: string): Promise<Answer> {
    return this.deps.lock.run(outTradeNo, () => this.getLocked(caller, outTradeNo));
  }

  private async getLocked(caller: string, outTradeNo: string): Promise<Answer> {
    const order = await this.ownOrder(caller, outTradeNo);
    // Nothing exists upstream for a create that was refused.
    if (order.status === 'failed') return { status: 200, body: await this.view(order) };
    const q = await this.deps.upstream.queryPayment({ outTradeNo, wallet: order.wallet });
    const now = this.deps.recorder.now();
    if (q.outcome === 'success') {
      const status = STATUS_OF[q.data.status];
      const events = transitionEvents(order.status, status, 'query');
      const changed =
        events.length > 0 ||
        status !== order.status ||
        q.data.refundedAmount !== order.refunded_minor ||
        order.upstream_trade_no !== q.data.upstreamTradeNo;
      if (!changed) return { status: 200, body: await this.view(order) };
      const { order: saved } = await this.deps.recorder.commit(
        {
          ...order,
          ...fromState(q.data),
          status,
          last_code: '00',
          paid_at: q.data.paidAt ?? order.paid_at,
          updated_at: now,
        },
        events,
      );
      return { status: 200, body: await this.view(saved) };
    }
    if (q.outcome === 'rejected') {
      await this.deps.recorder.commit({ ...order, updated_at: now }, [
        rejectedEvent('payment.query_failed', 'query', q),
      ]);
      // A create whose outcome is unknown may still land upstream: "not found yet" is not final.
      if (order.status === 'unknown' && q.code === '31') {
        return {
          status: 202,
          body: { ...(await this.view(order)), detail: 'the upstream does not show the order yet' },
        };
      }
      throw new UpstreamRejectedError(q.entry, q.message, 'query');
    }
    // The aggregator cannot tell right now: the record is the best answer, and it says so.
    return { status: 200, body: { ...(await this.view(order)), stale: true, detail: `query ${q.reason}` } };
  }

  cancel(caller: string, outTradeNo: string): Promise<Answer> {
    return this.endOrder(caller, outTradeNo, 'cancel');
  }

  close(caller: string, outTradeNo: string): Promise<Answer> {
    return this.endOrder(caller, outTradeNo, 'close');
  }

  private endOrder(caller: string, outTradeNo: string, operation: 'cancel' | 'close'): Promise<Answer> {
    return this.deps.lock.run(outTradeNo, () => this.endOrderLocked(caller, outTradeNo, operation));
  }

  private async endOrderLocked(
    caller: string,
    outTradeNo: string,
    operation: 'cancel' | 'close',
  ): Promise<Answer> {
    const order = await this.ownOrder(caller, outTradeNo);
    const ref = { outTradeNo, wallet: order.wallet };
    const result =
      operation === 'cancel'
        ? await this.deps.upstream.cancelPayment(ref)
        : await this.deps.upstream.closePayment(ref);
    const target: OrderStatus = operation === 'cancel' ? 'canceled' : 'closed';
    const done = operation === 'cancel' ? 'payment.canceled' : 'payment.closed';
    const failed = operation === 'cancel' ? 'payment.cancel_failed' : 'payment.close_failed';
    const now = this.deps.recorder.now();
    if (result.outcome === 'success') {
      const { order: saved } = await this.deps.recorder.commit(
        { ...order, status: target, last_code: '00', updated_at: now },
        [{ type: done, operation, code: '00', category: 'success' }],
      );
      return { status: 200, body: await this.view(saved) };
    }
    if (result.outcome === 'rejected') {
      await this.deps.recorder.commit({ ...order, last_code: result.code, updated_at: now }, [
        rejectedEvent(failed, operation, result),
      ]);
      throw new UpstreamRejectedError(result.entry, result.message, operation);
    }
    // Unknown outcome: the query decides; the request is never sent twice.
    const q = await this.deps.upstream.queryPayment(ref);
    if (q.outcome === 'success' && STATUS_OF[q.data.status] === target) {
      const { order: saved } = await this.deps.recorder.commit(
        { ...order, ...fromState(q.data), status: target, last_code: '00', updated_at: now },
        [{ type: done, operation: 'query', code: '00', category: 'success' }],
      );
      return { status: 200, body: await this.view(saved) };
    }
    const message = `${operation} ${result.reason}; the query ${describeOutcome(q)}`;
    const coded = q.outcome === 'rejected' ? q : undefined;
    const { order: saved } = await this.deps.recorder.commit({ ...order, updated_at: now }, [
      {
        type: 'payment.pending',
        operation: coded ? 'query' : operation,
        code: coded?.code ?? null,
        category: coded?.entry.category ?? 'unknown',
        message,
      },
    ]);
    return { status: 202, body: { ...(await this.view(saved)), outcome: 'unknown', detail: message } };
  }
}

/** The event for an upstream refusal: it carries the code, its category and the upstream message. */
export function rejectedEvent(
  type: EventSpec['type'],
  operation: EventSpec['operation'],
  result: { code: string; entry: { category: string }; message: string },
): EventSpec {
  return {
    type,
    operation,
    code: result.code,
    category: result.entry.category,
    ...(result.message ? { message: result.message } : {}),
  };
}

export function describeOutcome(q: UpstreamResult<unknown>): string {
  if (q.outcome === 'success') return 'answered 00';
  if (q.outcome === 'rejected') return `answered ${q.code}`;
  return `had no answer (${q.reason})`;
}

function retryAfterQuery(code: string | null): boolean {
  return code !== null && describeCode(code).retry === 'after_query';
}

function fromState(s: PaymentState) {
  return {
    upstream_trade_no: s.upstreamTradeNo,
    refunded_minor: s.refundedAmount,
  };
}

function sameOrder(o: Order, caller: string, cmd: CreatePaymentCommand): boolean {
  return (
    o.caller === caller &&
    o.amount_minor === cmd.amount &&
    o.currency === cmd.currency &&
    o.wallet === cmd.wallet
  );
}
