// What the checker reports: one anomaly per broken promise, naming the order and the first step
// that broke it, so a failed run says where to look.
import type { GatewayOrder, TopicRecord } from '../history.js';

export const ANOMALY_KINDS = [
  /** An order's events are not a path of ORDER_TRANSITIONS from its create intent. */
  'not-a-path',
  /** A transition's event recorded twice (two ids) where the machine allows it once. */
  'transition-twice',
  /** An event whose transition starts behind the status the order had already reached. */
  'moved-back',
  /** A refund's events are not a path of REFUND_TRANSITIONS. */
  'refund-not-a-path',
  /** An order's sequences skip a number. */
  'sequence-gap',
  /** Two different events of an order with the same sequence. */
  'sequence-duplicate',
  /** The status the events lead to is not the gateway's recorded status. */
  'events-vs-gateway',
  /** An event the gateway recorded (outbox, sequence) that never reached the topic. */
  'event-lost',
  /** An event on the topic the gateways never recorded. */
  'event-unrecorded',
  /** Outbox rows (gateway or plugin host) still unsent after the run settled. */
  'outbox-stuck',
  /** An intent or a pending refund still open after the run settled. */
  'unsettled',
  /** One event id more than once on payments.events.v1, not explained by a crash's re-send. */
  'duplicate-event',
  /** The gateway's order differs from the aggregator's (status, amount, refunded total). */
  'gateway-vs-sandbox',
  /** A refund the aggregator made that the gateway has not recorded succeeded, or the reverse. */
  'refund-vs-sandbox',
  /** The ledger's money for an order or a currency differs from the aggregator's. */
  'ledger-vs-sandbox',
  /** The trial balance's debits differ from its credits in a currency. */
  'trial-balance',
  /** One ledger entry more than once on ledger.entries.v1, not explained by a crash's re-send. */
  'ledger-entry-duplicate',
  /** A journal entry that never reached ledger.entries.v1. */
  'ledger-entry-missing',
  /** An entry on ledger.entries.v1 the journal does not hold. */
  'ledger-entry-unbooked',
  /** A caller was told something the final state contradicts. */
  'answer-contradicts',
  /** A caller saw an error while gateways and hosts were restarted one by one (a deployment). */
  'caller-error-in-deploy',
  /** A fault the run meant to inject left no evidence that it happened. */
  'fault-not-shown',
  /** A gateway or plugin host died without a fault ending it. */
  'process-died',
  /**
   * A gateway or plugin host died while starting (a start right after a broker's death must wait
   * the failover out, not crash into an orchestrator's restart loop).
   */
  'start-failed',
] as const;

export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface Anomaly {
  kind: AnomalyKind;
  /** The order it is about (none for a per-currency or per-run anomaly). */
  outTradeNo?: string;
  /** The first bad step: an event, an answer, a refund. */
  step?: string;
  detail: string;
}

/** What `check` finds in each order's events (in sequence order), given the gateway's row of the order. */
export function anomaliesPerOrder(
  byOrder: ReadonlyMap<string, readonly TopicRecord[]>,
  rows: readonly GatewayOrder[],
  check: (outTradeNo: string, events: readonly TopicRecord[], row: GatewayOrder | undefined) => Anomaly[],
): Anomaly[] {
  const rowOf = new Map(rows.map((r) => [r.outTradeNo, r]));
  return [...byOrder].flatMap(([no, events]) => check(no, events, rowOf.get(no)));
}
