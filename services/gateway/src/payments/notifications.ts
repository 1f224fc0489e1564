import {
  type Signer,
  type UpstreamCredentials,
  type UpstreamNotification,
  verifyNotification,
} from '@paystream/upstream-client';
import type { Counter } from 'prom-client';
import { NotificationRejectedError } from '../errors.js';
import type { Db } from '../store/orders.js';
import { findOrder } from '../store/orders.js';
import type { OrderLock } from './order-lock.js';
import type { Recorder } from './recorder.js';
import { transitionEvents } from './service.js';

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

const REASON_OF_CODE: Record<string, string> = {
  '-13': 'malformed',
  '13': 'bad_timestamp',
  '12': 'clock_skew',
  '10': 'bad_signature',
};

/**
 * The aggregator's notify callback: verified on the raw body (signature, clock window) before
 * anything is read or recorded; a replayed notify_id is refused. Each refusal is counted.
 */
export class NotificationService {
  constructor(private readonly deps: NotificationServiceDeps) {}

  async receive(rawBody: Buffer): Promise<{ status: number; body: unknown }> {
    const verified = verifyNotification(rawBody, this.deps.credentials, {
      now: this.deps.now(),
      toleranceSeconds: this.deps.toleranceSeconds,
      ...(this.deps.signer ? { signer: this.deps.signer } : {}),
    });
    if (!verified.ok) {
      // Unreadable bodies are bad requests; a bad signature or clock is an authentication failure.
      const status = verified.code === '-13' || verified.code === '13' ? 400 : 401;
      throw this.refuse(REASON_OF_CODE[verified.code] ?? 'invalid', verified.reason, verified.code, status);
    }
    const n = verified.notification;
    return this.deps.lock.run(n.outTradeNo, () => this.record(n));
  }

  private async record(n: UpstreamNotification): Promise<{ status: number; body: unknown }> {
    const order = await findOrder(this.deps.db, n.outTradeNo);
    if (!order) throw this.refuse('unknown_order', 'no such order', '31', 404);
    if (order.amount_minor !== n.amount || order.currency !== n.currency) {
      throw this.refuse('mismatch', 'amount or currency differs from the order', undefined, 400);
    }
    const now = this.deps.recorder.now();
    try {
      const events = transitionEvents(order.status, 'paid', 'notify');
      await this.deps.recorder.commit(
        {
          ...order,
          status: events.some((e) => e.type === 'payment.succeeded') ? 'paid' : order.status,
          upstream_trade_no: n.upstreamTradeNo,
          paid_at: order.paid_at ?? n.paidAt,
          updated_at: now,
        },
        events,
        undefined,
        async (trx) => {
          await trx
            .insertInto('gateway_notifications')
            .values({ notify_id: n.notifyId, out_trade_no: n.outTradeNo, received_at: now })
            .execute();
        },
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw this.refuse('replay', 'this notification was already received', undefined, 409);
      throw err;
    }
    return { status: 200, body: { code: '00', msg: 'SUCCESS' } };
  }

  private refuse(reason: string, message: string, code?: string, status = 401): NotificationRejectedError {
    this.deps.rejected.inc({ reason });
    return new NotificationRejectedError(reason, `Notification refused: ${message}`, code, status);
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
