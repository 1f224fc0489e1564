import { createHash } from 'node:crypto';
import { describe as describeCode } from '@paystream/codes';
import type { EventOperation } from '@paystream/events';
import { type Currency, type MinorUnits, tryParseAmount } from '@paystream/money';
import type { RefundDone, UpstreamClient } from '@paystream/upstream-client';
import { ConflictError, UpstreamRejectedError, ValidationError } from '../errors.js';
import { UPSTREAM_MAX_AMOUNT } from '../routes/amounts.js';
import type { Db, Order, Refund } from '../store/orders.js';
import { findOrder, findRefund } from '../store/orders.js';
import { failpoint } from './failpoint.js';
import { moveOrder } from './observe.js';
import type { OrderLock } from './order-lock.js';
import type { Recorder } from './recorder.js';
import { type Answer, describeOutcome, type PaymentService, rejectedEvent } from './service.js';
import { refundMove } from './state-machine.js';
import { refundView } from './views.js';

export interface RefundServiceDeps {
  db: Db;
  upstream: UpstreamClient;
  recorder: Recorder;
  payments: PaymentService;
  lock: OrderLock;
}

/**
 * The refund_no the aggregator sees. Its refund numbers are unique across the whole merchant, so
 * the caller's own number would let one caller block or probe another's; derived from the order
 * (which belongs to one caller), they can never meet. Stored with the refund.
 */
export function upstreamRefundRef(outTradeNo: string, refundNo: string): string {
  return `R${createHash('sha256').update(`${outTradeNo}\n${refundNo}`).digest('hex').slice(0, 32)}`;
}

/**
 * Refunds: a pending refund row (the intent) is committed before the upstream call; one upstream
 * call per request, and after a timeout or a crash a query, never a second refund.
 */
export class RefundService {
  constructor(private readonly deps: RefundServiceDeps) {}

  refund(caller: string, outTradeNo: string, input: { refundNo: string; amount: string }): Promise<Answer> {
    return this.deps.lock.run(outTradeNo, () => this.refundLocked(caller, outTradeNo, input));
  }

  private async refundLocked(
    caller: string,
    outTradeNo: string,
    input: { refundNo: string; amount: string },
  ): Promise<Answer> {
    const { upstream, recorder } = this.deps;
    const order = await this.deps.payments.ownOrder(caller, outTradeNo);
    // The currency (and so the decimals allowed) is the order's.
    const amount = parseRefundAmount(input.amount, order.currency);
    const existing = await findRefund(this.deps.db, outTradeNo, input.refundNo);
    if (existing && existing.amount_minor !== amount) {
      throw new ConflictError(`refundNo ${input.refundNo} was used for another amount`, describeCode('14'));
    }
    if (existing?.status === 'succeeded') return { status: 200, body: refundView(order, existing) };
    const upstreamRef = existing?.upstream_ref || upstreamRefundRef(outTradeNo, input.refundNo);
    const ref = { outTradeNo, wallet: order.wallet, refundNo: upstreamRef };
    if (existing?.status === 'pending') {
      // An earlier attempt may have gone through: ask before refunding again.
      const q = await upstream.queryRefund(ref);
      if (q.outcome === 'success') return this.succeeded(order, existing, q.data, 'query');
      if (!(q.outcome === 'rejected' && q.code === '05')) {
        return this.pending(
          order,
          existing,
          `an earlier refund attempt is unresolved; the query ${describeOutcome(q)}`,
          q,
        );
      }
    }

    const now = recorder.now();
    const intent: Refund = {
      out_trade_no: outTradeNo,
      refund_no: input.refundNo,
      amount_minor: amount,
      status: 'pending',
      last_code: existing?.last_code ?? null,
      upstream_refund_no: null,
      refunded_at: null,
      upstream_ref: upstreamRef,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await recorder.commit(order, [], intent);
    failpoint('refund', 'before-upstream');
    const result = await upstream.refundPayment({
      outTradeNo,
      wallet: order.wallet,
      refundNo: upstreamRef,
      amount,
      currency: order.currency,
    });
    failpoint('refund', 'after-upstream');
    if (result.outcome === 'success') return this.succeeded(order, intent, result.data, 'refund');
    if (result.outcome === 'rejected') {
      await this.failed(order, intent, result, 'refund');
      throw new UpstreamRejectedError(result.entry, result.message, 'refund');
    }
    const q = await upstream.queryRefund(ref);
    if (q.outcome === 'success') return this.succeeded(order, intent, q.data, 'query');
    return this.pending(order, intent, `refund ${result.reason}; the query ${describeOutcome(q)}`, q);
  }

  /**
   * Settles a pending refund by a query (the sweeper). Found: succeeded. A stale one the aggregator
   * does not know (05) never reached it: failed. Anything else stays pending. Answers whether it
   * is settled.
   */
  settle(outTradeNo: string, refundNo: string, stale: boolean): Promise<boolean> {
    return this.deps.lock.run(outTradeNo, async () => {
      const order = await findOrder(this.deps.db, outTradeNo);
      const refund = await findRefund(this.deps.db, outTradeNo, refundNo);
      if (!order || refund?.status !== 'pending') return true;
      const q = await this.deps.upstream.queryRefund({
        outTradeNo,
        wallet: order.wallet,
        refundNo: refund.upstream_ref,
      });
      if (q.outcome === 'success') {
        await this.succeeded(order, refund, q.data, 'query');
        return true;
      }
      if (q.outcome === 'rejected' && q.code === '05' && stale) {
        await this.failed(order, refund, q, 'query');
        return true;
      }
      return false;
    });
  }

  private async failed(
    order: Order,
    refund: Refund,
    result: { code: string; entry: { category: string }; message: string },
    operation: EventOperation,
  ): Promise<void> {
    const move = refundMove(refund.status, 'failed', operation);
    await this.deps.recorder.commit(
      { ...order, updated_at: this.deps.recorder.now() },
      move?.event
        ? [
            {
              ...rejectedEvent(move.event, operation, result),
              refund: { refundNo: refund.refund_no, amountMinor: refund.amount_minor },
            },
          ]
        : [],
      { ...refund, status: 'failed', last_code: result.code, updated_at: this.deps.recorder.now() },
    );
    failpoint('refund', 'after-commit');
  }

  private async succeeded(order: Order, refund: Refund, done: RefundDone, operation: 'refund' | 'query') {
    const now = this.deps.recorder.now();
    const refunded = Math.max(order.refunded_minor, done.refundedAmount);
    const next = moveOrder(
      order,
      refunded >= order.amount_minor ? 'refunded' : 'partially_refunded',
      operation,
      now,
    );
    const move = refundMove(refund.status, 'succeeded', operation);
    const { order: saved } = await this.deps.recorder.commit(
      { ...next.order, refunded_minor: refunded, last_code: '00' },
      [
        ...next.events,
        ...(move?.event
          ? [
              {
                type: move.event,
                operation,
                code: '00',
                category: 'success',
                refund: { refundNo: refund.refund_no, amountMinor: refund.amount_minor },
              },
            ]
          : []),
      ],
      {
        ...refund,
        status: 'succeeded',
        last_code: '00',
        upstream_refund_no: done.upstreamRefundNo,
        refunded_at: done.refundedAt,
        updated_at: now,
      },
    );
    failpoint('refund', 'after-commit');
    const stored = (await findRefund(this.deps.db, order.out_trade_no, refund.refund_no))!;
    return { status: 201, body: refundView(saved, stored) };
  }

  private async pending(
    order: Order,
    refund: Refund,
    message: string,
    q: { outcome: string; code?: string; entry?: { category: string } },
  ): Promise<Answer> {
    const coded =
      q.outcome === 'rejected' && q.code && q.entry
        ? { code: q.code, category: q.entry.category }
        : undefined;
    const { order: saved } = await this.deps.recorder.commit(
      { ...order, updated_at: this.deps.recorder.now() },
      [
        {
          type: 'refund.pending',
          operation: coded ? 'query' : 'refund',
          code: coded?.code ?? null,
          category: coded?.category ?? 'unknown',
          message,
          refund: { refundNo: refund.refund_no, amountMinor: refund.amount_minor },
        },
      ],
      refund,
    );
    return { status: 202, body: { ...refundView(saved, refund), outcome: 'unknown', detail: message } };
  }
}

/** A refund amount in the order's currency: more than zero, at most the aggregator's maximum. */
function parseRefundAmount(input: string, currency: Currency): MinorUnits {
  const parsed = tryParseAmount(input, currency);
  if (!parsed.ok) throw new ValidationError([{ field: 'amount', message: `amount ${parsed.reason}` }]);
  if (parsed.value <= 0 || parsed.value > UPSTREAM_MAX_AMOUNT) {
    throw new ValidationError([{ field: 'amount', message: 'must be more than 0.00 and at most 60000.00' }]);
  }
  return parsed.value;
}
