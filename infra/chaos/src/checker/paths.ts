// Each order's events, in sequence order, replayed on the state machine: every transition event
// must be an edge from where the order is (eventless moves allowed: a create retried after a
// failure, a refund moving the status), each refund's events a path of the refund machine, and
// where the events lead must be the status the gateway recorded.
import type { GatewayOrder, TopicRecord } from '../history.js';
import { type Anomaly, anomaliesPerOrder } from './anomaly.js';
import {
  type OrderStatus,
  REFUND_EVENTS,
  REFUNDABLE,
  type RefundStatus,
  refundTransitionFor,
  startsBehind,
  TRANSITION_EVENTS,
  transitionsFor,
} from './machine.js';

/** How an event reads in an anomaly: `#3 payment.succeeded (notify)`. */
export function stepOf(e: TopicRecord): string {
  const op = e.data?.operation ? ` (${e.data.operation})` : '';
  const refund = e.data?.refundNo ? ` refund ${e.data.refundNo}` : '';
  return `#${e.data?.sequence} ${e.type}${refund}${op}`;
}

/** Replays one order's events (one copy per id, sorted by sequence); returns where they lead. */
export function replayOrder(
  outTradeNo: string,
  events: readonly TopicRecord[],
): { status: OrderStatus; anomalies: Anomaly[] } {
  let status: OrderStatus = 'unknown';
  const applied = new Set<string>();
  const refunds = new Map<string, RefundStatus>();
  const anomalies: Anomaly[] = [];
  // Only the first broken step of each kind: what follows a broken step is noise.
  const seen = new Set<string>();
  const report = (a: Anomaly) => {
    if (seen.has(a.kind)) return;
    seen.add(a.kind);
    anomalies.push(a);
  };

  for (const e of events) {
    if (TRANSITION_EVENTS.has(e.type)) {
      const [t] = transitionsFor(status, e.type);
      if (t) {
        status = t.to;
      } else {
        const kind = applied.has(e.type)
          ? 'transition-twice'
          : startsBehind(status, e.type)
            ? 'moved-back'
            : 'not-a-path';
        report({ kind, outTradeNo, step: stepOf(e), detail: `${e.type} while the order is ${status}` });
      }
      applied.add(e.type);
      continue;
    }
    if (!REFUND_EVENTS.has(e.type) && e.type !== 'refund.pending') continue;
    const refundNo = String(e.data?.refundNo ?? '');
    const from = refunds.get(refundNo) ?? 'pending';
    if (e.type === 'refund.pending') {
      // A refund answered "unknown": a failed one may be tried again (failed → pending).
      if (from === 'failed' || !refunds.has(refundNo)) refunds.set(refundNo, 'pending');
      else if (from === 'succeeded') {
        report({
          kind: 'refund-not-a-path',
          outTradeNo,
          step: stepOf(e),
          detail: `refund ${refundNo} pending again after it succeeded`,
        });
      }
      continue;
    }
    const t = refundTransitionFor(from, e.type);
    if (!t) {
      report({
        kind: 'refund-not-a-path',
        outTradeNo,
        step: stepOf(e),
        detail: `${e.type} while refund ${refundNo} is ${from}`,
      });
      continue;
    }
    refunds.set(refundNo, t.to);
    if (e.type !== 'refund.succeeded') continue;
    // Money given back moves the order without an event of its own: only from a status holding money.
    if (!REFUNDABLE.has(status)) {
      report({
        kind: 'not-a-path',
        outTradeNo,
        step: stepOf(e),
        detail: `a refund succeeded while the order is ${status}`,
      });
      continue;
    }
    const total = Number(e.data?.refundedTotalMinor ?? 0);
    const amount = Number(e.data?.amountMinor ?? 0);
    status = total >= amount ? 'refunded' : 'partially_refunded';
  }
  return { status, anomalies };
}

/** Every order's replay, plus the comparison with the gateway's rows. */
export function checkPaths(
  byOrder: ReadonlyMap<string, readonly TopicRecord[]>,
  rows: readonly GatewayOrder[],
): Anomaly[] {
  const anomalies = anomaliesPerOrder(byOrder, rows, (no, events, row) => {
    const { status, anomalies: found } = replayOrder(no, events);
    if (found.length > 0 || !row || row.status === status) return found;
    return [
      {
        kind: 'events-vs-gateway',
        outTradeNo: no,
        step: events.length > 0 ? stepOf(events[events.length - 1]!) : 'no events',
        detail: `the events lead to ${status}, the gateway recorded ${row.status}`,
      },
    ];
  });
  for (const row of rows) {
    if (!byOrder.has(row.outTradeNo) && row.status !== 'unknown') {
      anomalies.push({
        kind: 'event-lost',
        outTradeNo: row.outTradeNo,
        step: 'no events',
        detail: `the gateway recorded ${row.status} but no event of the order is on the topic`,
      });
    }
  }
  return anomalies;
}
