// The history checker: runs every check on a run's history and counts what it saw.
import type { FaultKind, History, TopicRecord } from '../history.js';
import { ANOMALY_KINDS, type Anomaly, type AnomalyKind } from './anomaly.js';
import { checkAnswers } from './answers.js';
import { checkDuplicates, type Resends } from './duplicates.js';
import { checkFaults, checkIncidents } from './faults.js';
import { checkGatewayVsSandbox } from './gateway-sandbox.js';
import { checkLedger } from './ledger.js';
import { checkOutbox } from './outbox.js';
import { checkPaths } from './paths.js';
import { checkSequences } from './sequences.js';

export interface CheckOptions {
  /** Fault kinds the run meant to inject: each must have happened, with evidence. */
  expectFaults?: readonly FaultKind[];
}

export interface CheckResult {
  ok: boolean;
  counts: {
    operations: number;
    operationsByKind: Record<string, number>;
    outcomes: Record<string, number>;
    orders: number;
    events: { payments: number; paymentIds: number; ledger: number; ledgerIds: number };
    journalEntries: number;
    faults: Record<string, number>;
    /** Processes that died while starting and were started again. */
    startFailures: number;
    /** Copies a crash explains (a relay re-sending its last batch), per topic and crash. */
    resends: { payments: Resends; ledger: Resends };
    anomalies: Record<AnomalyKind, number>;
  };
  anomalies: Anomaly[];
}

/** One copy of each event id, per order, in sequence order. */
function ordersOf(records: readonly TopicRecord[]): Map<string, TopicRecord[]> {
  const byOrder = new Map<string, TopicRecord[]>();
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    byOrder.set(r.subject, [...(byOrder.get(r.subject) ?? []), r]);
  }
  for (const events of byOrder.values()) events.sort((a, b) => a.data.sequence - b.data.sequence);
  return byOrder;
}

function tally<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export function checkHistory(history: History, opts: CheckOptions = {}): CheckResult {
  const { final, topics, operations, faults } = history;
  const crashes = faults.flatMap((f) => f.crashes);
  const byOrder = ordersOf(topics.payments);
  const payments = checkDuplicates(
    topics.payments,
    crashes.filter((c) => c.kind === 'gateway'),
    'duplicate-event',
  );
  const ledger = checkDuplicates(
    topics.ledger,
    crashes.filter((c) => c.kind === 'plugin-host'),
    'ledger-entry-duplicate',
  );
  const anomalies = [
    ...checkPaths(byOrder, final.gatewayOrders),
    ...checkSequences(byOrder, final.gatewayOrders),
    ...payments.anomalies,
    ...checkOutbox(final, topics.payments),
    ...checkGatewayVsSandbox(final),
    ...checkLedger(final, topics.ledger),
    ...ledger.anomalies,
    ...checkAnswers(operations, final, faults),
    ...checkFaults(faults, opts.expectFaults ?? []),
    ...checkIncidents(history.incidents, history.startFailures),
  ];
  const byKind = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>;
  for (const a of anomalies) byKind[a.kind] += 1;
  const orders = new Set([
    ...Object.keys(final.sandboxOrders),
    ...final.gatewayOrders.map((o) => o.outTradeNo),
    ...operations.map((o) => o.outTradeNo),
  ]);
  return {
    ok: anomalies.length === 0,
    counts: {
      operations: operations.length,
      operationsByKind: tally(operations, (o) => o.kind),
      outcomes: tally(operations, (o) => o.outcome),
      orders: orders.size,
      events: {
        payments: topics.payments.length,
        paymentIds: new Set(topics.payments.map((r) => r.id)).size,
        ledger: topics.ledger.length,
        ledgerIds: new Set(topics.ledger.map((r) => r.id)).size,
      },
      journalEntries: final.ledger.length,
      faults: tally(faults, (f) => f.kind),
      startFailures: history.startFailures.length,
      resends: { payments: payments.resends, ledger: ledger.resends },
      anomalies: byKind,
    },
    anomalies,
  };
}
