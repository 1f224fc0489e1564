// No answer a caller got is contradicted by the final state: a payment status a caller was told
// is the final status or one the order could move on from (told `canceled`, the order must not
// end `paid`); a 200/201 create names an order the aggregator holds; a succeeded refund is one
// the aggregator made; a 200 cancel or close is what the aggregator shows. And while the
// gateways and hosts were restarted one by one (a deployment), no caller saw an error.
import type { FaultRecord, FinalState, Operation } from '../history.js';
import type { Anomaly } from './anomaly.js';
import { type OrderStatus, reaches } from './machine.js';

const PAYMENT_ANSWERS = new Set(['create', 'read', 'cancel', 'close']);
const IDEMPOTENCY_CONFLICT = /\/idempotency-conflict$/;
const CLOSED_UPSTREAM = new Set(['CLOSED', 'PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);

function stepOf(op: Operation): string {
  const refund = op.refundNo ? ` refund ${op.refundNo}` : '';
  return `operation ${op.id}: ${op.kind}${refund} answered ${op.status ?? op.outcome}${op.body?.status ? ` ${op.body.status}` : ''}`;
}

/**
 * Whether the caller saw an error: no final answer, a gateway failure (a 5xx without an upstream
 * code: an aggregator's refusal is an answer), or its key still busy.
 */
export function sawError(op: Operation): boolean {
  if (op.outcome === 'error') return true;
  if (op.outcome !== 'refused') return false;
  const gatewayFailure = (op.status ?? 0) >= 500 && op.body?.code === undefined;
  return gatewayFailure || IDEMPOTENCY_CONFLICT.test(String(op.body?.type ?? ''));
}

export function checkAnswers(
  operations: readonly Operation[],
  final: FinalState,
  faults: readonly FaultRecord[],
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const rows = new Map(final.gatewayOrders.map((r) => [r.outTradeNo, r]));
  // One contradiction per order is enough to look at.
  const reported = new Set<string>();
  const report = (op: Operation, detail: string) => {
    if (reported.has(op.outTradeNo)) return;
    reported.add(op.outTradeNo);
    anomalies.push({ kind: 'answer-contradicts', outTradeNo: op.outTradeNo, step: stepOf(op), detail });
  };
  for (const op of operations) {
    if (op.outcome !== 'done') continue;
    const row = rows.get(op.outTradeNo);
    const upstream = final.sandboxOrders[op.outTradeNo] ?? null;
    if (PAYMENT_ANSWERS.has(op.kind) && typeof op.body?.status === 'string') {
      const told = op.body.status as OrderStatus;
      const now = (row?.status ?? 'failed') as OrderStatus;
      if (!reaches(told, now)) {
        report(op, `the caller was told ${told}; the order ended ${now}`);
        continue;
      }
    }
    if (op.kind === 'create' && told(op) !== 'failed' && !upstream) {
      report(op, `the create answered ${op.status} ${told(op)}, and the aggregator has no such order`);
      continue;
    }
    if (op.kind === 'cancel' && op.body?.status === 'canceled' && upstream?.status !== 'CANCELED') {
      report(op, `the cancel answered canceled; the aggregator shows ${upstream?.status ?? 'no order'}`);
      continue;
    }
    // A closed order stays CLOSED upstream, unless the customer paid it late (then PAID, and refunds).
    if (op.kind === 'close' && op.body?.status === 'closed' && !CLOSED_UPSTREAM.has(upstream?.status ?? '')) {
      report(op, `the close answered closed; the aggregator shows ${upstream?.status ?? 'no order'}`);
      continue;
    }
    if (op.kind === 'refund' && op.body?.status === 'succeeded') {
      const refund = final.gatewayRefunds.find(
        (r) => r.outTradeNo === op.outTradeNo && r.refundNo === op.refundNo,
      );
      const made = refund && upstream?.refunds.find((u) => u.refundNo === refund.upstreamRef);
      if (!made) report(op, `refund ${op.refundNo} answered succeeded; the aggregator never made it`);
    }
  }
  for (const deploy of faults.filter((f) => f.kind === 'rolling-restart')) {
    const hit = operations.filter(
      (op) => op.startedAt <= deploy.endedAt && op.endedAt >= deploy.startedAt && sawError(op),
    );
    for (const op of hit.slice(0, 20)) {
      anomalies.push({
        kind: 'caller-error-in-deploy',
        outTradeNo: op.outTradeNo,
        step: stepOf(op),
        detail: `a caller saw ${op.outcome === 'error' ? String(op.body) : `${op.status} ${op.body?.type ?? ''}`} during the rolling restart`,
      });
    }
  }
  return anomalies;
}

function told(op: Operation): string {
  return String(op.body?.status ?? '');
}
