import { describe as describeCode } from '@paystream/codes';
import { ConflictError, NotFoundError } from '@paystream/http-kit';
import type { Currency, MinorUnits } from '@paystream/money';
import type { PaymentState, UpstreamClient, UpstreamResult, Wallet } from '@paystream/upstream-client';
import { codeOf, UpstreamRejectedError } from '../errors.js';
import { type Db, findOrder, listRefunds, type Order } from '../store/orders.js';
import type { OrderStatus } from '../store/schema.js';
import type { EventSpec } from './events.js';
import { failpoint } from './failpoint.js';
import { moveOrder, observed, observeState } from './observe.js';
import type { OrderLock } from './order-lock.js';
import type { PaymentOutcome } from './outcomes.js';
import type { ApplyOptions, Recorder } from './recorder.js';
import { KeyTakenError, type RequestKey } from './request-key.js';
import { type PaymentView, paymentView } from './views.js';

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

const USED = (no: string) =>
  new ConflictError(`outTradeNo ${no} is already used`, codeOf(describeCode('03')));

/**
 * Payments: create, read, cancel, close. Each upstream write is preceded by a committed intent
 * (the order `unknown`, or its `intent` column), so a crash at any point leaves a record that a
 * query settles; each result moves the order along the state machine of `state-machine.ts`.
 */
export class PaymentService {
  constructor(private readonly deps: PaymentServiceDeps) {}

  /** The caller's order, or not found (another caller's order is as good as absent). */
  async ownOrder(caller: string, outTradeNo: string): Promise<Order> {
    const order = await findOrder(this.deps.db, outTradeNo);
    if (!order || order.caller !== caller) throw new NotFoundError(`No payment ${outTradeNo}`);
    return order;
  }

  async view(order: Order): Promise<PaymentView> {
    return paymentView(order, await listRefunds(this.deps.db, order.out_trade_no));
  }

  /**
   * Creates a payment. With `key`, the request's Idempotency-Key is claimed by the intent's
   * statement (a key already held throws {@link KeyTakenError} and writes nothing) and, on the
   * happy path, answered by the result's. When another request on the number is in flight in
   * this process it throws {@link KeyTakenError} at once, so the key is claimed on its own.
   */
  create(
    caller: string,
    cmd: CreatePaymentCommand,
    key?: RequestKey<PaymentOutcome>,
  ): Promise<PaymentOutcome> {
    // Another request on this number is in flight here: its key may be this one, and a request
    // whose key is in use is answered at once (409, or the replay), not after waiting its turn.
    // The key takes its own statement first then, as it does on every other path.
    if (key && this.deps.lock.busy(cmd.outTradeNo)) return Promise.reject(new KeyTakenError());
    return this.deps.lock.run(cmd.outTradeNo, () => this.createLocked(caller, cmd, key));
  }

  private async recordIntent(fresh: Order, key: RequestKey<PaymentOutcome> | undefined): Promise<boolean> {
    if (!key) return this.deps.recorder.recordNew(fresh);
    const claimed = await this.deps.recorder.claimAndRecordNew(key.claim, fresh);
    if (claimed === 'key-taken') throw new KeyTakenError();
    key.state = 'claimed';
    return claimed === 'inserted';
  }

  private async createLocked(
    caller: string,
    cmd: CreatePaymentCommand,
    key: RequestKey<PaymentOutcome> | undefined,
  ): Promise<PaymentOutcome> {
    const { upstream, recorder } = this.deps;
    // Most creates are of a new number: its intent is then one INSERT, and nothing is looked up.
    const fresh = intentOf(caller, cmd, undefined, recorder.now());
    let order = fresh;
    if (!(await this.recordIntent(fresh, key))) {
      const existing = await findOrder(this.deps.db, cmd.outTradeNo);
      if (!existing) throw new Error(`order ${cmd.outTradeNo} is neither insertable nor present`);
      // One answer whoever holds the number, so it reveals nothing about another caller.
      if (!mayCreateAgain(existing, caller, cmd)) throw USED(cmd.outTradeNo);
      if (existing.status !== 'failed' && existing.status !== 'unknown') {
        return { kind: 'current', payment: await this.view(existing) };
      }
      // No double charge: before creating again after an unknown outcome (or a code whose advice
      // is "query first"), ask the aggregator whether the earlier attempt took effect.
      if (existing.status === 'unknown' || retryAfterQuery(existing.last_code)) {
        const q = await upstream.queryPayment({ outTradeNo: cmd.outTradeNo, wallet: existing.wallet });
        if (q.outcome === 'success') return this.adopt(existing, q.data, 'query');
        if (!(q.outcome === 'rejected' && q.code === '31')) {
          return this.unknownCreate(
            existing,
            `an earlier attempt had no clear outcome; the query ${describeOutcome(q)}`,
            q,
          );
        }
      }
      // The intent, durable before the aggregator hears of the order; unless another request
      // (here or on another instance) took the number forward meanwhile: that one is the answer.
      const now = recorder.now();
      const claimed = await recorder.apply({ order: existing }, ({ order: cur }) => {
        if ((cur.status !== 'failed' && cur.status !== 'unknown') || !mayCreateAgain(cur, caller, cmd))
          return null;
        return {
          order: intentOf(caller, cmd, cur, now),
          events: moveOrder(cur, 'unknown', 'create', now).events,
        };
      });
      if (!claimed.applied) {
        if (!mayCreateAgain(claimed.order, caller, cmd)) throw USED(cmd.outTradeNo);
        return { kind: 'current', payment: await this.view(claimed.order) };
      }
      order = claimed.order;
    }
    failpoint('create', 'before-upstream');

    const result = await upstream.createPayment({
      outTradeNo: cmd.outTradeNo,
      amount: cmd.amount,
      currency: cmd.currency,
      wallet: cmd.wallet,
      notifyUrl: this.deps.notifyUrl(),
      ...(cmd.description !== undefined ? { description: cmd.description } : {}),
    });
    failpoint('create', 'after-upstream');
    if (result.outcome === 'success') {
      const now = recorder.now();
      const created = result.data;
      // A number this create inserted cannot have refunds yet: its answer is the row alone, so
      // the key's answer is known before the row is written, and written with it.
      const answered = order === fresh && key ? answerWith(key) : {};
      const { order: saved, applied } = await recorder.apply(
        { order },
        ({ order: cur }) => {
          const next = moveOrder(cur, 'pending', 'create', now);
          return {
            order: {
              ...next.order,
              upstream_trade_no: cur.upstream_trade_no ?? created.upstreamTradeNo,
              qr_code_url: cur.qr_code_url ?? created.qrCodeUrl,
              pay_url: cur.pay_url ?? created.payUrl,
              last_code: cur.status === 'unknown' ? '00' : cur.last_code,
            },
            events: next.events,
          };
        },
        answered,
      );
      if (applied && answered.answer && key) key.state = 'answered';
      failpoint('create', 'after-commit');
      return { kind: 'created', payment: order === fresh ? paymentView(saved, []) : await this.view(saved) };
    }
    if (result.outcome === 'rejected') {
      if (result.entry.category === 'duplicate') {
        // The aggregator already holds this number: an earlier attempt whose answer was lost (the
        // gateway died after the aggregator accepted it), or one still in flight (here or on
        // another instance). Ask, and take the order over when it is this create.
        const q = await upstream.queryPayment({ outTradeNo: cmd.outTradeNo, wallet: cmd.wallet });
        if (q.outcome === 'success' && sameState(q.data, cmd)) return this.adopt(order, q.data, 'query');
        // The number exists upstream: an unanswered query is no proof that this create failed.
        if (q.outcome === 'unknown') {
          return this.unknownCreate(
            order,
            `create answered ${result.code}; the query ${describeOutcome(q)}`,
            null,
          );
        }
      }
      const now = recorder.now();
      const refused = await recorder.apply({ order }, ({ order: cur }) => {
        if (cur.status !== 'unknown') return null;
        const next = moveOrder(cur, 'failed', 'create', now);
        return {
          order: { ...next.order, last_code: result.code },
          events: next.events.map((e) => ({ ...e, ...rejectedEvent(e.type, 'create', result) })),
        };
      });
      failpoint('create', 'after-commit');
      // Another request created the order meanwhile: that is the answer, not this refusal.
      if (!refused.applied && refused.order.status !== 'failed') {
        return { kind: 'current', payment: await this.view(refused.order) };
      }
      throw new UpstreamRejectedError(result.entry, result.message, 'create');
    }
    const q = await upstream.queryPayment({ outTradeNo: cmd.outTradeNo, wallet: cmd.wallet });
    if (q.outcome === 'success') return this.adopt(order, q.data, 'query');
    const why =
      q.outcome === 'rejected' && q.code === '31'
        ? `create ${result.reason}; the order is not visible upstream yet (query answered 31)`
        : `create ${result.reason}; the query ${describeOutcome(q)}`;
    return this.unknownCreate(order, why, q);
  }

  /** Records the order as the aggregator shows it and answers as if this create had made it. */
  private async adopt(order: Order, state: PaymentState, operation: 'query'): Promise<PaymentOutcome> {
    const { order: saved } = await this.deps.recorder.apply(
      { order },
      observed(state, operation, this.deps.recorder.now()),
    );
    failpoint('create', 'after-commit');
    return { kind: 'created', payment: await this.view(saved) };
  }

  /**
   * An honest "unknown": the create may or may not have happened; its intent stays for the sweeper.
   * Unless another request settled the order meanwhile: then it answers as it is.
   */
  private async unknownCreate(
    order: Order,
    message: string,
    q: UpstreamResult<unknown> | null,
  ): Promise<PaymentOutcome> {
    const coded = q && q.outcome === 'rejected' ? q : undefined;
    const now = this.deps.recorder.now();
    const r = await this.deps.recorder.apply({ order }, ({ order: cur }) =>
      cur.status !== 'unknown' && cur.status !== 'failed'
        ? null
        : {
            order: { ...cur, updated_at: now },
            events: [
              {
                type: 'payment.pending',
                operation: coded ? 'query' : 'create',
                code: coded?.code ?? null,
                category: coded?.entry.category ?? 'unknown',
                message,
              },
            ],
          },
    );
    if (!r.applied) return { kind: 'current', payment: await this.view(r.order) };
    return { kind: 'unknown', payment: await this.view(r.order), detail: message };
  }

  /**
   * Reads a payment, refreshed from the aggregator. A state change there is recorded with its
   * transition events; a refused or unanswered query answers the record marked `stale`, and
   * records an event only when the query's outcome changed since the last read.
   */
  get(caller: string, outTradeNo: string): Promise<PaymentOutcome> {
    return this.deps.lock.run(outTradeNo, () => this.getLocked(caller, outTradeNo));
  }

  private async getLocked(caller: string, outTradeNo: string): Promise<PaymentOutcome> {
    const order = await this.ownOrder(caller, outTradeNo);
    // Nothing exists upstream for a create that was refused.
    if (order.status === 'failed') return { kind: 'current', payment: await this.view(order) };
    const q = await this.deps.upstream.queryPayment({ outTradeNo, wallet: order.wallet });
    const now = this.deps.recorder.now();
    if (q.outcome === 'success') {
      const { order: saved } = await this.deps.recorder.apply({ order }, observed(q.data, 'query', now));
      return { kind: 'current', payment: await this.view(saved) };
    }
    let current = order;
    if (q.outcome === 'rejected' && q.code !== order.query_code) {
      ({ order: current } = await this.deps.recorder.apply({ order }, ({ order: cur }) =>
        cur.query_code === q.code
          ? null
          : {
              order: { ...cur, query_code: q.code, updated_at: now },
              events: [rejectedEvent('payment.query_failed', 'query', q)],
            },
      ));
    }
    // A create whose outcome is unknown may still land upstream: "not found yet" is not final.
    if (current.status === 'unknown') {
      return {
        kind: 'unknown',
        payment: await this.view(current),
        detail: `the upstream does not show the order yet (query ${describeOutcome(q)})`,
      };
    }
    // The aggregator cannot (or will not) tell right now: the record is the best answer, and says so.
    return {
      kind: 'stale',
      payment: await this.view(current),
      detail: `query ${describeOutcome(q)}`,
      ...(q.outcome === 'rejected' ? { queryCode: q.code } : {}),
    };
  }

  cancel(caller: string, outTradeNo: string): Promise<PaymentOutcome> {
    return this.endOrder(caller, outTradeNo, 'cancel');
  }

  close(caller: string, outTradeNo: string): Promise<PaymentOutcome> {
    return this.endOrder(caller, outTradeNo, 'close');
  }

  private endOrder(
    caller: string,
    outTradeNo: string,
    operation: 'cancel' | 'close',
  ): Promise<PaymentOutcome> {
    return this.deps.lock.run(outTradeNo, () => this.endOrderLocked(caller, outTradeNo, operation));
  }

  private async endOrderLocked(
    caller: string,
    outTradeNo: string,
    operation: 'cancel' | 'close',
  ): Promise<PaymentOutcome> {
    const { upstream, recorder } = this.deps;
    let order = await this.ownOrder(caller, outTradeNo);
    const target: OrderStatus = operation === 'cancel' ? 'canceled' : 'closed';
    if (order.status === target) return { kind: 'current', payment: await this.view(order) };
    // Money that arrived after the order ended goes back by a refund, which the ledger books
    // against what is owed; the order itself stays ended.
    if (order.status === 'paid_after_close') {
      throw new ConflictError(
        `${outTradeNo} was paid after it was closed or canceled: refund the payment instead of a ${operation}`,
      );
    }
    const ref = { outTradeNo, wallet: order.wallet };
    if (order.intent === operation) {
      // An earlier attempt was cut off: it may have happened. Ask before sending it again.
      const q = await upstream.queryPayment(ref);
      if (q.outcome === 'success') {
        ({ order } = await recorder.apply({ order }, observed(q.data, 'query', recorder.now())));
        if (order.status === target) return { kind: 'current', payment: await this.view(order) };
      }
    }
    const intentAt = recorder.now();
    const marked = await recorder.apply({ order }, ({ order: cur }) =>
      cur.status === target
        ? null
        : { order: { ...cur, intent: operation, intent_at: intentAt }, events: [] },
    );
    if (!marked.applied) return { kind: 'current', payment: await this.view(marked.order) };
    order = marked.order;
    failpoint(operation, 'before-upstream');
    const result =
      operation === 'cancel' ? await upstream.cancelPayment(ref) : await upstream.closePayment(ref);
    failpoint(operation, 'after-upstream');
    const now = recorder.now();
    if (result.outcome === 'success') {
      const { order: saved } = await recorder.apply({ order }, ({ order: cur }) => {
        const next = moveOrder(cur, target, operation, now);
        const moved = next.order.status !== cur.status;
        return { order: { ...next.order, last_code: moved ? '00' : cur.last_code }, events: next.events };
      });
      failpoint(operation, 'after-commit');
      return { kind: 'current', payment: await this.view(saved) };
    }
    if (result.outcome === 'rejected') {
      // A refusal may only mean that the order moved meanwhile (another instance's cancel won,
      // the aggregator answers -55): the aggregator's view decides what the caller is told.
      const q = await upstream.queryPayment(ref);
      const failed = operation === 'cancel' ? 'payment.cancel_failed' : 'payment.close_failed';
      const { order: saved } = await recorder.apply({ order }, ({ order: cur }) => {
        const seen =
          q.outcome === 'success' ? observeState(cur, q.data, 'query', now) : { order: cur, events: [] };
        // Only this request's intent is cleared: another one may be in flight.
        const mine = seen.order.intent === operation && seen.order.intent_at === intentAt;
        const reached = seen.order.status === target;
        return {
          order: {
            ...seen.order,
            ...(mine ? { intent: null, intent_at: null } : {}),
            last_code: reached ? seen.order.last_code : result.code,
            updated_at: now,
          },
          events: reached ? seen.events : [...seen.events, rejectedEvent(failed, operation, result)],
        };
      });
      failpoint(operation, 'after-commit');
      if (saved.status === target) return { kind: 'current', payment: await this.view(saved) };
      throw new UpstreamRejectedError(result.entry, result.message, operation);
    }
    // Unknown outcome: the query decides; the request is never sent twice.
    const q = await upstream.queryPayment(ref);
    if (q.outcome === 'success') {
      const { order: saved } = await recorder.apply({ order }, observed(q.data, 'query', now));
      if (saved.status === target) return { kind: 'current', payment: await this.view(saved) };
      order = saved;
    }
    const message = `${operation} ${result.reason}; the query ${describeOutcome(q)}`;
    const coded = q.outcome === 'rejected' ? q : undefined;
    const pending = await recorder.apply({ order }, ({ order: cur }) =>
      cur.status === target
        ? null
        : {
            order: { ...cur, updated_at: now },
            events: [
              {
                type: 'payment.pending',
                operation: coded ? 'query' : operation,
                code: coded?.code ?? null,
                category: coded?.entry.category ?? 'unknown',
                message,
              },
            ],
          },
    );
    if (!pending.applied) return { kind: 'current', payment: await this.view(pending.order) };
    return { kind: 'unknown', payment: await this.view(pending.order), detail: message };
  }

  /**
   * Settles an order's open intent by a query (the sweeper; start-up). Found: the order moves to
   * what the aggregator shows. A stale create the aggregator does not know (31) never reached it:
   * the order fails. A stale cancel or close the query does not show did not happen. Anything
   * else stays open for the next sweep. Answers whether the intent is settled. Only the intent
   * that was judged stale is settled: one recorded since (a new request) is left alone.
   */
  settle(outTradeNo: string, stale: boolean): Promise<boolean> {
    return this.deps.lock.run(outTradeNo, async () => {
      const { upstream, recorder } = this.deps;
      const order = await findOrder(this.deps.db, outTradeNo);
      if (!order?.intent) return true;
      const same = (cur: Order) => cur.intent === order.intent && cur.intent_at === order.intent_at;
      const q = await upstream.queryPayment({ outTradeNo, wallet: order.wallet });
      const now = recorder.now();
      if (q.outcome === 'success') {
        const { order: saved } = await recorder.apply({ order }, ({ order: cur }) => {
          const seen = observeState(cur, q.data, 'query', now);
          const gone = stale && same(cur) && seen.order.intent !== null && seen.order.intent !== 'create';
          if (!seen.changed && !gone) return null;
          return {
            order: gone ? { ...seen.order, intent: null, intent_at: null, updated_at: now } : seen.order,
            events: seen.events,
          };
        });
        return !same(saved);
      }
      if (q.outcome === 'rejected' && q.code === '31' && stale) {
        await recorder.apply({ order }, ({ order: cur }) => {
          if (!same(cur)) return null;
          if (cur.intent !== 'create') {
            return { order: { ...cur, intent: null, intent_at: null, updated_at: now }, events: [] };
          }
          const next = moveOrder(cur, 'failed', 'query', now);
          return {
            order: { ...next.order, last_code: q.code, query_code: q.code },
            events: next.events.map((e) => ({ ...e, ...rejectedEvent(e.type, 'query', q) })),
          };
        });
        return true;
      }
      return false;
    });
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

/** Whether `cmd` may (re)create the number `o` holds: the same order, or the caller's own failed one. */
function mayCreateAgain(o: Order, caller: string, cmd: CreatePaymentCommand): boolean {
  return sameOrder(o, caller, cmd) || (o.caller === caller && o.status === 'failed');
}

function sameOrder(o: Order, caller: string, cmd: CreatePaymentCommand): boolean {
  return (
    o.caller === caller &&
    o.amount_minor === cmd.amount &&
    o.currency === cmd.currency &&
    o.wallet === cmd.wallet
  );
}

/** A create's intent: the order `unknown`, its create recorded, what an earlier attempt left kept. */
function intentOf(
  caller: string,
  cmd: CreatePaymentCommand,
  existing: Order | undefined,
  now: string,
): Order {
  return {
    out_trade_no: cmd.outTradeNo,
    caller,
    amount_minor: cmd.amount,
    currency: cmd.currency,
    wallet: cmd.wallet,
    status: 'unknown',
    upstream_trade_no: existing?.upstream_trade_no ?? null,
    qr_code_url: null,
    pay_url: null,
    description: cmd.description ?? null,
    notify_url: cmd.notifyUrl ?? null,
    metadata: cmd.metadata ? JSON.stringify(cmd.metadata) : null,
    refunded_minor: 0,
    sequence: existing?.sequence ?? 0,
    last_code: existing?.last_code ?? null,
    created_at: existing?.created_at ?? now,
    updated_at: now,
    paid_at: null,
    intent: 'create',
    intent_at: now,
    query_code: existing?.query_code ?? null,
    version: existing?.version ?? 0,
  };
}

/** Whether the order the aggregator holds is the one this create asks for. */
function sameState(s: PaymentState, cmd: CreatePaymentCommand): boolean {
  return s.amount === cmd.amount && s.currency === cmd.currency && s.wallet === cmd.wallet;
}

/** The key's answer for a create that made a new order: 201 with the order as recorded. */
function answerWith(key: RequestKey<PaymentOutcome>): ApplyOptions {
  return {
    answer: (saved) => {
      const a = key.answerFor({ kind: 'created', payment: paymentView(saved, []) });
      return { caller: key.claim.caller, key: key.claim.key, status: a.status, body: JSON.stringify(a.body) };
    },
  };
}
