import { randomUUID } from 'node:crypto';
import { formatAmount } from '@paystream/money';
import { formatWireTimestamp, type Signer } from '@paystream/upstream-client';
import { request } from 'undici';
import type { Fault, FaultQueue } from './faults.js';
import type { SandboxLogger } from './logger.js';
import type { NotifyAttempt, SandboxMerchant, SandboxOrder } from './state.js';

export interface NotifierOptions {
  signer: Signer;
  now: () => Date;
  faults: FaultQueue;
  /** Waits before each retry after a non-2xx answer or a failed delivery. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  logger?: SandboxLogger | undefined;
}

const SKEW_FAULT_MS = 60 * 60 * 1000;

/** Sends the signed notify callback, retrying with backoff until the receiver answers 2xx. */
export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly opts: NotifierOptions) {}

  /** Delivers once now and, if that fails, schedules the retries; resolves with the first attempt. */
  async deliver(order: SandboxOrder, merchant: SandboxMerchant): Promise<NotifyAttempt> {
    const notifyId = randomUUID();
    order.lastNotifyId = notifyId;
    const first = await this.attempt(order, merchant, notifyId);
    if (!delivered(first)) this.scheduleRetry(order, merchant, notifyId, 0);
    return first;
  }

  /** Sends the last callback again, same notify_id, once (no retries): a redelivery. */
  redeliver(order: SandboxOrder, merchant: SandboxMerchant): Promise<NotifyAttempt> | undefined {
    if (!order.lastNotifyId) return undefined;
    return this.attempt(order, merchant, order.lastNotifyId);
  }

  /** Stops pending retries. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private scheduleRetry(order: SandboxOrder, merchant: SandboxMerchant, notifyId: string, index: number) {
    const delay = this.opts.retryDelaysMs[index];
    if (delay === undefined || this.closed) return;
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (this.closed) return;
      const result = await this.attempt(order, merchant, notifyId);
      if (!delivered(result)) this.scheduleRetry(order, merchant, notifyId, index + 1);
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(
    order: SandboxOrder,
    merchant: SandboxMerchant,
    notifyId: string,
  ): Promise<NotifyAttempt> {
    const fault = this.opts.faults.take('notify');
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    const body = this.body(order, merchant, notifyId, fault);
    const record: NotifyAttempt = { at: this.opts.now().toISOString() };
    try {
      const res = await request(order.notifyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.body.dump();
      record.status = res.statusCode;
    } catch (err) {
      record.error = err instanceof Error ? err.message : 'delivery failed';
    }
    order.notifyAttempts.push(record);
    this.opts.logger?.info(
      { outTradeNo: order.outTradeNo, notifyId, status: record.status, error: record.error },
      'notify attempt',
    );
    return record;
  }

  /** The signed callback body; a notify fault (10, 12, 13, -13) spoils it the way the code says. */
  private body(order: SandboxOrder, merchant: SandboxMerchant, notifyId: string, fault?: Fault): string {
    if (fault?.code === '-13') return '{"notify_id": ';
    const now = this.opts.now();
    const params: Record<string, unknown> = {
      notify_id: notifyId,
      notify_type: 'TRADE_SUCCESS',
      out_trade_no: order.outTradeNo,
      trade_no: order.tradeNo,
      status: 'PAID',
      transaction_amount: formatAmount(order.amount, order.currency),
      currency: order.currency,
      paytype: order.paytype,
      wallet: order.wallet,
      ...(order.walletRegion ? { wallet_region: order.walletRegion } : {}),
      paid_at: (order.paidAt ?? now).toISOString(),
      User_Confirm_Key: merchant.userConfirmKey,
      timestamp:
        fault?.code === '13'
          ? now.toISOString()
          : formatWireTimestamp(fault?.code === '12' ? new Date(now.getTime() - SKEW_FAULT_MS) : now),
      sign_type: this.opts.signer.name,
    };
    params.sign = fault?.code === '10' ? '0'.repeat(64) : this.opts.signer.sign(params, merchant.privateKey);
    return JSON.stringify(params);
  }
}

function delivered(attempt: NotifyAttempt): boolean {
  return attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
}
