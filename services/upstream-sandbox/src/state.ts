import type { Currency, MinorUnits } from '@paystream/money';
import type {
  UpstreamCredentials,
  WirePaytype,
  WireRegion,
  WireStatus,
  WireWallet,
} from '@paystream/upstream-client';

/** A merchant account at the aggregator. Flags and wallets let rules produce 22, 23 and 30. */
export interface SandboxMerchant extends UpstreamCredentials {
  /** False: the user behind the confirm key is disabled (code 22). */
  userActive?: boolean;
  /** False: the merchant is disabled (code 23). */
  merchantActive?: boolean;
  /** Wallets with account information configured; others answer 30. Default: all. */
  wallets?: readonly WireWallet[];
}

export interface SandboxRefund {
  refundNo: string;
  refundTradeNo: string;
  amount: MinorUnits;
  refundedAt: Date;
}

export interface NotifyAttempt {
  at: string;
  status?: number;
  error?: string;
}

export interface SandboxOrder {
  outTradeNo: string;
  tradeNo: string;
  userConfirmKey: string;
  paytype: WirePaytype;
  wallet: WireWallet;
  walletRegion?: WireRegion;
  currency: Currency;
  amount: MinorUnits;
  notifyUrl: string;
  description?: string;
  status: WireStatus;
  createdAt: Date;
  paidAt?: Date;
  canceledAt?: Date;
  closedAt?: Date;
  refunds: SandboxRefund[];
  notifyAttempts: NotifyAttempt[];
  /** The notify_id of the last callback sent, for a redelivery. */
  lastNotifyId?: string;
  /** Queries left that answer the order as it was created (a lagging replica; a control sets it). */
  lagQueries?: number;
}

/** Everything the sandbox remembers. In memory only: a restart is a fresh aggregator. */
export class SandboxState {
  readonly orders = new Map<string, SandboxOrder>();
  /** refund_no → out_trade_no; refund numbers are unique across the merchant's orders. */
  readonly refundOwners = new Map<string, string>();
  /** out_trade_no / refund_no values a request is working on right now (the -99 race rule). */
  readonly inFlight = new Map<string, number>();
  readonly merchants = new Map<string, SandboxMerchant>();
  private sequence = 0;

  constructor(merchants: readonly SandboxMerchant[]) {
    for (const m of merchants) this.merchants.set(m.userConfirmKey, m);
  }

  /** A new upstream reference, e.g. SBX20250131000001. */
  nextReference(prefix: string, at: Date): string {
    this.sequence += 1;
    return `${prefix}${at.toISOString().slice(0, 10).replaceAll('-', '')}${String(this.sequence).padStart(6, '0')}`;
  }

  reserve(key: string): () => void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    return () => {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }

  /** Forgets one order and its refund numbers, as an aggregator that lost them would. */
  forget(outTradeNo: string): boolean {
    const order = this.orders.get(outTradeNo);
    if (!order) return false;
    for (const r of order.refunds) this.refundOwners.delete(r.refundNo);
    return this.orders.delete(outTradeNo);
  }

  /** Forgets every order and refund (merchants stay). */
  reset(): void {
    this.orders.clear();
    this.refundOwners.clear();
    this.inFlight.clear();
  }
}
