import {
  type Signer,
  type UpstreamCredentials,
  type UpstreamNotification,
  verifyNotification,
} from '@paystream/upstream-client';
import type { Counter } from 'prom-client';
import { NOTIFY_REJECT_REASONS, NotificationRejectedError, type RejectReason } from '../errors.js';
import type { Db, Order, Trx } from '../store/orders.js';
import { findOrder } from '../store/orders.js';
import { moveOrder } from './observe.js';
import type { OrderLock } from './order-lock.js';
import type { Recorder } from './recorder.js';
import { paymentStatusFor } from './state-machine.js';

export interface NotificationServiceDeps {
  db: Db;
  recorder: Recorder;
  credentials: UpstreamCredentials;
  toleranceSeconds: number;
  rejected: Counter<'reason'>;
  now: () => Date;
  signer?: Signer;
  lock: OrderLock;
}

/** A notification recorded now, or recorded before (the aggregator missed the acknowledgement). */
export type NotifyOutcome = { kind: 'recorded' };
const RECORDED: NotifyOutcome = { kind: 'recorded' };

const REASON_OF_CODE: Record<string, RejectReason> = {
  '-13': 'malformed',
  '13': 'bad_timestamp',
  '12': 'clock_skew',
  '10': 'bad_signature',
};

/**
 * The aggregator's notify callback: verified on the raw body (signature, clock window) before
 * anything is read or recorded; forged and stale callbacks are refused and counted. A redelivered
 * notify_id is acknowledged again and recorded once.
 */
export class NotificationService {
  constructor(private readonly deps: NotificationServiceDeps) {
    // Every reason exists at 0 from the start: an alert on `increase(...) > 0` sees the first
    // forged notify after a start, which it would take for the series' beginning otherwise.
    for (const reason of NOTIFY_REJECT_REASONS) deps.rejected.inc({ reason }, 0);
  }

  async receive(rawBody: Buffer): Promise<NotifyOutcome> {
    const verified = verifyNotification(rawBody, this.deps.credentials, {
      now: this.deps.now(),
      toleranceSeconds: this.deps.toleranceSeconds,
      ...(this.deps.signer ? { signer: this.deps.signer } : {}),
    });
    if (!verified.ok) {
      throw this.refuse(REASON_OF_CODE[verified.code] ?? 'invalid', verified.reason, verified.code);
    }
    const n = verified.notification;
    return this.deps.lock.run(n.outTradeNo, () => this.record(n));
  }

  private async record(n: UpstreamNotification): Promise<NotifyOutcome> {
    // Already recorded: the aggregator missed our answer (a timeout, say) and sends it again.
    // Acknowledging is what stops the redelivery; nothing is recorded twice.
    if (await this.seen(n.notifyId)) return RECORDED;
    const order = await findOrder(this.deps.db, n.outTradeNo);
    if (!order) throw this.refuse('unknown_order', 'no such order', '31');
    if (order.amount_minor !== n.amount || order.currency !== n.currency || order.wallet !== n.wallet) {
      throw this.refuse('mismatch', 'amount, currency or wallet differs from the order');
    }
    const now = this.deps.recorder.now();
    const dedupe = async (trx: Trx) => {
      await trx
        .insertInto('gateway_notifications')
        .values({ notify_id: n.notifyId, out_trade_no: n.outTradeNo, received_at: now })
        .execute();
    };
    try {
      await this.deps.recorder.apply(
        { order },
        ({ order: cur }) => {
          const moved = moveOrder(cur, paymentStatusFor(cur.status, isKnownPayment(cur, n)), 'notify', now);
          const next = {
            ...moved.order,
            upstream_trade_no: cur.upstream_trade_no ?? n.upstreamTradeNo,
            paid_at: cur.paid_at ?? n.paidAt,
          };
          const same =
            next.status === cur.status &&
            next.upstream_trade_no === cur.upstream_trade_no &&
            next.paid_at === cur.paid_at &&
            next.intent === cur.intent;
          return same ? null : { order: next, events: moved.events };
        },
        { extra: dedupe },
      );
    } catch (err) {
      // Another instance recorded it meanwhile.
      if (!isUniqueViolation(err)) throw err;
    }
    return RECORDED;
  }

  private async seen(notifyId: string): Promise<boolean> {
    const row = await this.deps.db
      .selectFrom('gateway_notifications')
      .select('notify_id')
      .where('notify_id', '=', notifyId)
      .executeTakeFirst();
    return row !== undefined;
  }

  private refuse(reason: RejectReason, message: string, code?: string): NotificationRejectedError {
    this.deps.rejected.inc({ reason });
    return new NotificationRejectedError(reason, `Notification refused: ${message}`, code);
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint/.test(String(e?.message))
  );
}

/**
 * Whether a payment notify is about the payment already recorded: a canceled order was paid (the
 * cancel reversed that payment), and its first notify may arrive only after the cancel. A payment
 * at another time is new money. With no payment time recorded (the cancel's success implied the
 * payment), the notify is taken as that payment.
 */
function isKnownPayment(order: Order, n: UpstreamNotification): boolean {
  if (order.paid_at === null) return order.status === 'canceled';
  return Date.parse(order.paid_at) === Date.parse(n.paidAt);
}
