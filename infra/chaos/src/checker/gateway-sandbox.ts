// After the run settled, the gateway holds what the aggregator holds, for every order the workload
// used: its status (the aggregator's, lower-cased), amount, currency and refunded total; each
// refund the aggregator made is a succeeded refund row, and the reverse; no intent or pending
// refund is left open. A payment the aggregator took for an order the gateway closed shows PAID
// there and `paid_after_close` here (the sandbox has no status of its own for it).
import type { FinalState } from '../history.js';
import type { Anomaly } from './anomaly.js';

/** The gateway statuses that agree with the aggregator's. */
function agrees(gateway: string, sandbox: string): boolean {
  if (gateway === sandbox.toLowerCase()) return true;
  return gateway === 'paid_after_close' && sandbox === 'PAID';
}

export function checkGatewayVsSandbox(final: FinalState): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const rows = new Map(final.gatewayOrders.map((r) => [r.outTradeNo, r]));
  const refundRows = final.gatewayRefunds;
  const numbers = new Set([...Object.keys(final.sandboxOrders), ...rows.keys()]);
  for (const no of [...numbers].sort()) {
    const row = rows.get(no);
    const upstream = final.sandboxOrders[no] ?? null;
    const step = row ? `gateway ${row.status}` : 'no gateway row';
    if (row?.intent || row?.status === 'unknown') {
      anomalies.push({
        kind: 'unsettled',
        outTradeNo: no,
        step,
        detail: `the order still holds ${row.intent ? `a ${row.intent} intent` : 'its create intent'} after the run settled`,
      });
    }
    for (const r of refundRows.filter((x) => x.outTradeNo === no && x.status === 'pending')) {
      anomalies.push({
        kind: 'unsettled',
        outTradeNo: no,
        step: `refund ${r.refundNo}`,
        detail: `refund ${r.refundNo} is still pending after the run settled`,
      });
    }
    if (!upstream) {
      if (row && row.status !== 'failed') {
        anomalies.push({
          kind: 'gateway-vs-sandbox',
          outTradeNo: no,
          step,
          detail: `the gateway recorded ${row.status}; the aggregator has no such order`,
        });
      }
      continue;
    }
    if (!row) {
      anomalies.push({
        kind: 'gateway-vs-sandbox',
        outTradeNo: no,
        step,
        detail: `the aggregator holds the order (${upstream.status}); the gateway has no record of it`,
      });
      continue;
    }
    const differences = [
      agrees(row.status, upstream.status) ? '' : `status ${row.status} ≠ ${upstream.status}`,
      row.amountMinor === upstream.amountMinor ? '' : `amount ${row.amountMinor} ≠ ${upstream.amountMinor}`,
      row.currency === upstream.currency ? '' : `currency ${row.currency} ≠ ${upstream.currency}`,
      row.refundedMinor === upstream.refundedMinor
        ? ''
        : `refunded ${row.refundedMinor} ≠ ${upstream.refundedMinor}`,
    ].filter(Boolean);
    if (differences.length > 0) {
      anomalies.push({
        kind: 'gateway-vs-sandbox',
        outTradeNo: no,
        step,
        detail: `gateway ≠ aggregator: ${differences.join(', ')}`,
      });
    }
    const succeeded = refundRows.filter((r) => r.outTradeNo === no && r.status === 'succeeded');
    for (const u of upstream.refunds) {
      const mine = succeeded.find((r) => r.upstreamRef === u.refundNo);
      if (!mine || mine.amountMinor !== u.amountMinor) {
        anomalies.push({
          kind: 'refund-vs-sandbox',
          outTradeNo: no,
          step: `refund ${u.refundNo}`,
          detail: mine
            ? `refund ${mine.refundNo}: the gateway recorded ${mine.amountMinor}, the aggregator refunded ${u.amountMinor}`
            : `the aggregator refunded ${u.amountMinor} as ${u.refundNo}; the gateway has no succeeded refund for it`,
        });
      }
    }
    for (const r of succeeded) {
      if (!upstream.refunds.some((u) => u.refundNo === r.upstreamRef)) {
        anomalies.push({
          kind: 'refund-vs-sandbox',
          outTradeNo: no,
          step: `refund ${r.refundNo}`,
          detail: `the gateway recorded refund ${r.refundNo} succeeded; the aggregator never made it`,
        });
      }
    }
  }
  return anomalies;
}
