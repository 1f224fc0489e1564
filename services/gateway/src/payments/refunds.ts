import { describe as describeCode } from '@paystream/codes';
import { tryParseAmount } from '@paystream/money';
import type { RefundDone, UpstreamClient } from '@paystream/upstream-client';
import { ConflictError, UpstreamRejectedError, ValidationError } from '../errors.js';
import type { Db, Order, Refund } from '../store/orders.js';
import { findRefund } from '../store/orders.js';
import type { OrderLock } from './order-lock.js';
import type { Recorder } from './recorder.js';
import { type Answer, describeOutcome, type PaymentService, rejectedEvent } from './service.js';
import { refundView } from './views.js';

export interface RefundServiceDeps {
  db: Db;
  upstream: UpstreamClient;
  recorder: Recorder;
  payments: PaymentService;
  lock: OrderLock;
}

/** Refunds: one upstream call per request, and after a timeout a query, never a second refund. */
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
    const { upstream } = this.deps;
    const order = await this.deps.payments.ownOrder(caller, outTradeNo);
    // The currency (and so the decimals allowed) is the order's.
    const parsed = tryParseAmount(input.amount, order.currency);
    if (!parsed.ok) throw new ValidationError([{ field: 'amount', message: `amount ${parsed.reason}` }]);
    const amount = parsed.value;
    const existing = await findRefund(this.deps.db, outTradeNo, input.refundNo);
    if (existing && existing.amount_minor !== amount) {
      throw new ConflictError(`refundNo ${input.refundNo} was used for another amount`, describeCode('14'));
    }
    if (existing?.status === 'succeeded') return { status: 200, body: refundView(order, existing) };
    const now = this.deps.recorder.now();
    const base: Refund = {
      out_trade_no: outTradeNo,
      refund_no: input.refundNo,
      amount_minor: amount,
      status: 'pending',
      last_code: null,
      upstream_refund_no: null,
      refunded_at: null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    const ref = { outTradeNo, wallet: order.wallet, refundNo: input.refundNo };
    if (existing?.status === 'pending') {
      // An earlier attempt may have gone through: ask before refunding again.
      const q = await upstream.queryRefund(ref);
      if (q.outcome === 'success') return this.succeeded(order, base, q.data, 'query');
      if (!(q.outcome === 'rejected' && q.code === '05')) {
        return this.pending(
          order,
          base,
          `an earlier refund attempt is unresolved; the query ${describeOutcome(q)}`,
          q,
        );
      }
    }

    const result = await upstream.refundPayment({
      outTradeNo,
      wallet: order.wallet,
      refundNo: input.refundNo,
      amount,
      currency: order.currency,
    });
    if (result.outcome === 'success') return this.succeeded(order, base, result.data, 'refund');
    if (result.outcome === 'rejected') {
      await this.deps.recorder.commit(
        { ...order, updated_at: now },
        [
          {
            ...rejectedEvent('refund.failed', 'refund', result),
            refund: { refundNo: input.refundNo, amountMinor: amount },
          },
        ],
        { ...base, status: 'failed', last_code: result.code },
      );
      throw new UpstreamRejectedError(result.entry, result.message, 'refund');
    }
    const q = await upstream.queryRefund(ref);
    if (q.outcome === 'success') return this.succeeded(order, base, q.data, 'query');
    return this.pending(order, base, `refund ${result.reason}; the query ${describeOutcome(q)}`, q);
  }

  private async succeeded(order: Order, base: Refund, done: RefundDone, operation: 'refund' | 'query') {
    const now = this.deps.recorder.now();
    const refunded = done.refundedAmount;
    const { order: saved } = await this.deps.recorder.commit(
      {
        ...order,
        refunded_minor: refunded,
        status: refunded >= order.amount_minor ? 'refunded' : 'partially_refunded',
        last_code: '00',
        updated_at: now,
      },
      [
        {
          type: 'refund.succeeded',
          operation,
          code: '00',
          category: 'success',
          refund: { refundNo: base.refund_no, amountMinor: base.amount_minor },
        },
      ],
      {
        ...base,
        status: 'succeeded',
        last_code: '00',
        upstream_refund_no: done.upstreamRefundNo,
        refunded_at: done.refundedAt,
      },
    );
    const refund = (await findRefund(this.deps.db, order.out_trade_no, base.refund_no))!;
    return { status: 201, body: refundView(saved, refund) };
  }

  private async pending(
    order: Order,
    base: Refund,
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
          refund: { refundNo: base.refund_no, amountMinor: base.amount_minor },
        },
      ],
      base,
    );
    return { status: 202, body: { ...refundView(saved, base), outcome: 'unknown', detail: message } };
  }
}
