// A chaos run's history, everything the checker judges: every operation the callers made and the
// answer they got (and every HTTP attempt behind it), every record of every topic, the faults with
// their evidence, and the final state of the gateways' database, the aggregator and the ledger.
// Plain data: a run writes it as JSON, and a test builds one by hand with a bug planted in it.

/** What a caller asked for. */
export type OperationKind =
  | 'create'
  | 'read'
  | 'refund'
  | 'cancel'
  | 'close'
  /** The customer pays at the aggregator (sandbox control), which sends the notify. */
  | 'pay'
  /** The customer pays an order the merchant already closed (`late: true`). */
  | 'late-pay'
  /** The aggregator sends an order's last notify again, same notify_id. */
  | 'redeliver';

/** One logical operation and the answer its caller ended with. */
export interface Operation {
  id: number;
  kind: OperationKind;
  outTradeNo: string;
  refundNo?: string;
  /** The Idempotency-Key of a write (a repeat of an earlier operation reuses its key). */
  idempotencyKey?: string;
  /** A deliberate second request under an Idempotency-Key already used. */
  repeatOf?: number;
  startedAt: number;
  endedAt: number;
  /**
   * `done` (200/201), `unknown` (202), `refused` (a problem: the gateway's final answer),
   * `error` (no final answer: the client gave up, e.g. unavailable), `ok` (a sandbox control).
   */
  outcome: 'done' | 'unknown' | 'refused' | 'error' | 'ok';
  /** The HTTP status of the final answer. */
  status?: number;
  /** The final answer's body (payment, refund or problem), or the error's message. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field by the checks.
  body?: any;
  /** HTTP attempts the client made (retries included). */
  attempts?: number;
}

/** One HTTP attempt, as the client's fetch saw it. */
export interface Attempt {
  operation: number;
  at: number;
  method: string;
  path: string;
  status?: number;
  error?: string;
  ms: number;
}

/** One record of a topic, as read from the beginning after the run. */
export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The record's timestamp (the producer's clock when it sent it). */
  timestamp: number;
  key: string | undefined;
  /** The CloudEvent id (the `ce_id` header). */
  id: string;
  type: string;
  subject: string;
  // biome-ignore lint/suspicious/noExplicitAny: the event's data, read field by field.
  data: any;
}

export type FaultKind =
  | 'gateway-kill'
  | 'host-kill'
  | 'leader-kill'
  | 'cluster-outage'
  | 'rebalance-storm'
  | 'pg-terminate'
  | 'sandbox-timeouts'
  | 'sandbox-99'
  | 'rolling-restart';

/**
 * A moment a process stopped without finishing what it was doing (SIGKILL, its database connections
 * terminated, a forced exit): its outbox relay may have sent a batch it never marked sent, which the
 * next relay sends again with the same ids (at most one batch, docs/architecture.md "Outboxes").
 */
export interface Crash {
  kind: 'gateway' | 'plugin-host';
  member: string;
  at: number;
}

export interface FaultRecord {
  kind: FaultKind;
  target?: string;
  startedAt: number;
  endedAt: number;
  /** Log lines, metrics or cluster metadata showing it happened. */
  evidence: string[];
  crashes: Crash[];
}

/** A gateway_orders row, as the checker reads it. */
export interface GatewayOrder {
  outTradeNo: string;
  status: string;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
  sequence: number;
  intent: string | null;
}

/** A gateway_refunds row. */
export interface GatewayRefund {
  outTradeNo: string;
  refundNo: string;
  amountMinor: number;
  status: string;
  /** The refund number sent upstream. */
  upstreamRef: string;
}

/** An order as the aggregator (sandbox) holds it, amounts in minor units. */
export interface SandboxOrder {
  outTradeNo: string;
  /** PENDING, PAID, PARTIALLY_REFUNDED, REFUNDED, CANCELED, CLOSED. */
  status: string;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
  refunds: { refundNo: string; amountMinor: number }[];
}

/** One journal entry of the ledger (the accounting plugin's journal route). */
export interface LedgerEntry {
  id: string;
  eventId: string;
  eventType: string;
  outTradeNo: string;
  refundNo?: string;
  postings: { account: string; side: 'debit' | 'credit'; amountMinor: number; currency: string }[];
}

export interface FinalState {
  gatewayOrders: GatewayOrder[];
  gatewayRefunds: GatewayRefund[];
  /** Every order number the workload used; null where the aggregator has no such order. */
  sandboxOrders: Record<string, SandboxOrder | null>;
  /** The journal of every order the workload used. */
  ledger: LedgerEntry[];
  /** The ledger's trial balance: debit and credit per currency, minor units. */
  trialBalance: { currency: string; debitMinor: number; creditMinor: number }[];
  /** Rows of the gateways' outbox, in position order (id, order, whether sent). */
  outbox: { id: string; subject: string; sent: boolean }[];
  /** Rows of the plugin hosts' outbox not sent at the end. */
  pluginOutboxPending: number;
  /** The plugin hosts' outbox rows (the ledger's records among them), in position order. */
  pluginOutbox: {
    eventId: string;
    topic: string;
    position: number;
    createdAt: string;
    sentAt: string | null;
  }[];
}

/** A process of the fleet that died without a fault ending it. */
export interface Incident {
  member: string;
  at: number;
  code: number | null;
  signal: string | null;
  /** The end of its stderr: why it died. */
  stderr: string;
}

export interface History {
  run: { startedAt: number; endedAt: number; seconds: number; label: string };
  operations: Operation[];
  attempts: Attempt[];
  topics: { payments: TopicRecord[]; ledger: TopicRecord[] };
  faults: FaultRecord[];
  incidents: Incident[];
  /**
   * Processes that died while starting (the fleet then tried again, as an orchestrator would):
   * not a broken promise about money, but each is in the report.
   */
  startFailures: Incident[];
  final: FinalState;
}
