import type { Db } from '../store/orders.js';
import { claimIntent, claimPendingRefund, staleIntents, stalePendingRefunds } from '../store/orders.js';
import type { RefundService } from './refunds.js';
import type { PaymentService } from './service.js';

export interface SweepResult {
  /** Intents (orders and refunds) settled by this sweep. */
  settled: number;
  /** Intents the query could not settle yet (the aggregator did not answer, say). */
  open: number;
}

export interface IntentSweeperDeps {
  db: Db;
  payments: PaymentService;
  refunds: RefundService;
  /** How long a request can possibly run: intents younger than this may still be in flight. */
  staleAfterMs: number;
  now: () => Date;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Intents settled per sweep at most (the rest wait for the next one). Default 200. */
  batch?: number;
}

/**
 * The janitor (Kill Bill's model): finds every intent older than the worst-case request time (a
 * create, cancel or close whose answer was never recorded, a refund still pending) and settles it
 * by a query. It runs at start-up and periodically, so an intent left by a crash, a forced
 * shutdown or an unanswered query is settled even when the caller never retries.
 */
export class IntentSweeper {
  private timer: NodeJS.Timeout | undefined;
  private first = true;
  private running: Promise<SweepResult> | undefined;

  constructor(private readonly deps: IntentSweeperDeps) {}

  /** One sweep; concurrent calls share the sweep in progress. */
  sweep(): Promise<SweepResult> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sweeps now and then every `intervalMs` until `stop()`. */
  start(intervalMs: number): void {
    const tick = () => {
      void this.sweep()
        .catch((err: unknown) => {
          this.deps.logger.warn(
            { error: err instanceof Error ? err.message : String(err) },
            'intent sweep failed',
          );
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<SweepResult> {
    const { db, payments, refunds, staleAfterMs, now } = this.deps;
    const before = new Date(now().getTime() - staleAfterMs).toISOString();
    const batch = this.deps.batch ?? 200;
    let settled = 0;
    let open = 0;
    // Each intent is leased before it is settled, so sweepers on several instances never query
    // and settle the same one at once.
    const lease = now().toISOString();
    for (const { out_trade_no, intent_at } of await staleIntents(db, before, batch)) {
      if (!(await claimIntent(db, out_trade_no, intent_at!, lease))) continue;
      if (await payments.settle(out_trade_no, true)) settled += 1;
      else open += 1;
    }
    for (const r of await stalePendingRefunds(db, before, batch)) {
      if (!(await claimPendingRefund(db, r, lease))) continue;
      if (await refunds.settle(r.out_trade_no, r.refund_no, true)) settled += 1;
      else open += 1;
    }
    // The start-up sweep always says what it did (operators and the crash-point suite wait for it).
    if (settled > 0 || open > 0 || this.first)
      this.deps.logger.info({ settled, open, startup: this.first }, 'intent sweep');
    this.first = false;
    return { settled, open };
  }
}
