import { createHash } from 'node:crypto';
import { describe as describeCode } from '@paystream/codes';
import type { EventOperation } from '@paystream/events';
import { ConflictError, ValidationError } from '@paystream/http-kit';
import { type Currency, type MinorUnits, tryParseAmount } from '@paystream/money';
import type { RefundDone, UpstreamClient } from '@paystream/upstream-client';
import { codeOf, UpstreamRejectedError } from '../errors.js';
import type { Db, Order, Refund } from '../store/orders.js';
import { findOrder, findRefund } from '../store/orders.js';
import { UPSTREAM_MAX_AMOUNT } from './amounts.js';
import { failpoint } from './failpoint.js';
import { moveOrder } from './observe.js';
import type { OrderLock } from './order-lock.js';
import type { RefundOutcome } from './outcomes.js';
import type { Applied, Recorder } from './recorder.js';
import { describeOutcome, type PaymentService, rejectedEvent } from './service.js';
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

  refund(
    caller: string,
    outTradeNo: string,
    input: { refundNo: string; amount: string },
  ): Promise<RefundOutcome> {
    return this.deps.lock.run(outTradeNo, () => this.refundLocked(caller, outTradeNo, input));
  }

  private async refundLocked(
    caller: string,
    outTradeNo: string,
    input: { refundNo: string; amount: string },
  ): Promise<RefundOutcome> {
    const { upstream, recorder } = this.deps;
    const seen = await this.deps.payments.ownOrder(caller, outTradeNo);
    // The currency (and so the decimals allowed) is the order's.
    const amount = parseRefundAmount(input.amount, seen.currency);
    const existing = await findRefund(this.deps.db, outTradeNo, input.refundNo);
    const known = settledRefund(seen, existing, input.refundNo, amount);
    if (known) return known;
    if (existing?.status === 'pending') {
      // An earlier attempt may have gone through: ask before refunding again.
      const q = await upstream.queryRefund({
        outTradeNo,
        wallet: seen.wallet,
        refundNo: existing.upstream_ref,
      });
      if (q.outcome === 'success') return this.succeeded(seen, existing, q.data, 'query');
      if (!(q.outcome === 'rejected' && q.code === '05')) {
        return this.pending(
          seen,
          existing,
          `an earlier refund attempt is unresolved; the query ${describeOutcome(q)}`,
          q,
        );
      }
    }

    // The intent, unless another request (here or on another instance) settled this refund meanwhile.
    const now = recorder.now();
    const marked = await recorder.apply(
      { order: seen, refund: existing },
      ({ order: cur, refund: prior }) => {
        if (prior && (prior.status === 'succeeded' || prior.amount_minor !== amount)) return null;
        return {
          order: cur,
          events: [],
          refund: {
            out_trade_no: outTradeNo,
            refund_no: input.refundNo,
            amount_minor: amount,
            status: 'pending',
            last_code: prior?.last_code ?? null,
            upstream_refund_no: null,
            refunded_at: null,
            upstream_ref: prior?.upstream_ref || upstreamRefundRef(outTradeNo, input.refundNo),
            created_at: prior?.created_at ?? now,
            updated_at: now,
          },
        };
      },
      { refundNo: input.refundNo },
    );
    const order = marked.order;
    const intent = marked.refund!;
    if (!marked.applied) return settledRefund(order, intent, input.refundNo, amount)!;
    failpoint('refund', 'before-upstream');
    const result = await upstream.refundPayment({
      outTradeNo,
      wallet: order.wallet,
      refundNo: intent.upstream_ref,
      amount,
      currency: order.currency,
    });
    failpoint('refund', 'after-upstream');
    if (result.outcome === 'success') return this.succeeded(order, intent, result.data, 'refund');
    const ref = { outTradeNo, wallet: order.wallet, refundNo: intent.upstream_ref };
    if (result.outcome === 'rejected') {
      const after = await this.failed(order, intent, result, 'refund');
      // Another request got this very refund through meanwhile: that is the answer.
      if (after.refund?.status === 'succeeded')
        return { kind: 'current', refund: refundView(after.order, after.refund) };
      throw new UpstreamRejectedError(result.entry, result.message, 'refund');
    }
    const q = await upstream.queryRefund(ref);
    if (q.outcome === 'success') return this.succeeded(order, intent, q.data, 'query');
    return this.pending(order, intent, `refund ${result.reason}; the query ${describeOutcome(q)}`, q);
  }

  /**
   * Settles a pending refund by a query (the sweeper). Found: succeeded. A stale one the aggregator
   * does not know (05) never reached it: failed, unless a newer attempt was recorded since. Anything
   * else stays pending. Answers whether it is settled.
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
        await this.failed(order, refund, q, 'query', refund.updated_at);
        return true;
      }
      return false;
    });
  }

  /**
   * Records a refusal of the refund. `onlyIf` (an intent's time): only while the refund is still
   * that intent. A refund that succeeded stays succeeded.
   */
  private async failed(
    order: Order,
    refund: Refund,
    result: { code: string; entry: { category: string }; message: string },
    operation: EventOperation,
    onlyIf?: string,
  ): Promise<Applied> {
    const now = this.deps.recorder.now();
    const applied = await this.deps.recorder.apply(
      { order, refund },
      ({ order: cur, refund: prior }) => {
        const base = prior ?? refund;
        if (base.status === 'succeeded' || (onlyIf !== undefined && base.updated_at !== onlyIf)) return null;
        const move = refundMove(base.status, 'failed', operation);
        return {
          order: { ...cur, updated_at: now },
          events: move?.event
            ? [
                {
                  ...rejectedEvent(move.event, operation, result),
                  refund: { refundNo: base.refund_no, amountMinor: base.amount_minor },
                },
              ]
            : [],
          refund: { ...base, status: 'failed', last_code: result.code, updated_at: now },
        };
      },
      { refundNo: refund.refund_no },
    );
    failpoint('refund', 'after-commit');
    return applied;
  }

  private async succeeded(order: Order, refund: Refund, done: RefundDone, operation: 'refund' | 'query') {
    const now = this.deps.recorder.now();
    const { order: saved, refund: stored } = await this.deps.recorder.apply(
      { order, refund },
      ({ order: cur, refund: prior }) => {
        const base = prior ?? refund;
        // The aggregator's total is the truth; a lagging one never lowers what is recorded.
        const refunded = Math.max(cur.refunded_minor, done.refundedAmount);
        const next = moveOrder(
          cur,
          refunded >= cur.amount_minor ? 'refunded' : 'partially_refunded',
          operation,
          now,
        );
        const move = refundMove(base.status, 'succeeded', operation);
        return {
          order: { ...next.order, refunded_minor: refunded, last_code: '00' },
          events: [
            ...next.events,
            ...(move?.event
              ? [
                  {
                    type: move.event,
                    operation,
                    code: '00',
                    category: 'success',
                    refund: { refundNo: base.refund_no, amountMinor: base.amount_minor },
                  },
                ]
              : []),
          ],
          refund: {
            ...base,
            status: 'succeeded',
            last_code: '00',
            upstream_refund_no: base.upstream_refund_no ?? done.upstreamRefundNo,
            refunded_at: base.refunded_at ?? done.refundedAt,
            updated_at: base.status === 'succeeded' ? base.updated_at : now,
          },
        };
      },
      { refundNo: refund.refund_no },
    );
    failpoint('refund', 'after-commit');
    return { kind: 'created', refund: refundView(saved, stored!) } as const;
  }

  private async pending(
    order: Order,
    refund: Refund,
    message: string,
    q: { outcome: string; code?: string; entry?: { category: string } },
  ): Promise<RefundOutcome> {
    const coded =
      q.outcome === 'rejected' && q.code && q.entry
        ? { code: q.code, category: q.entry.category }
        : undefined;
    const now = this.deps.recorder.now();
    const r = await this.deps.recorder.apply(
      { order, refund },
      ({ order: cur, refund: prior }) => {
        const base = prior ?? refund;
        if (base.status === 'succeeded') return null;
        return {
          order: { ...cur, updated_at: now },
          events: [
            {
              type: 'refund.pending',
              operation: coded ? 'query' : 'refund',
              code: coded?.code ?? null,
              category: coded?.category ?? 'unknown',
              message,
              refund: { refundNo: base.refund_no, amountMinor: base.amount_minor },
            },
          ],
          refund: { ...base, status: 'pending' },
        };
      },
      { refundNo: refund.refund_no },
    );
    if (!r.applied) return { kind: 'current', refund: refundView(r.order, r.refund!) };
    return { kind: 'unknown', refund: refundView(r.order, r.refund!), detail: message };
  }
}

/**
 * The outcome for a refund number that needs no upstream call: one already succeeded, or one used
 * for another amount (a conflict, code 14). Undefined when the refund is still to be made.
 */
function settledRefund(
  order: Order,
  refund: Refund | undefined,
  refundNo: string,
  amount: MinorUnits,
): RefundOutcome | undefined {
  if (refund && refund.amount_minor !== amount) {
    throw new ConflictError(`refundNo ${refundNo} was used for another amount`, codeOf(describeCode('14')));
  }
  if (refund?.status === 'succeeded') return { kind: 'current', refund: refundView(order, refund) };
  return undefined;
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
