// The checker's verdict as the lines a run prints: counts first, then each anomaly with its order
// and first bad step.
import type { CheckResult } from './check.js';

const list = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

export function formatCheck(result: CheckResult, maxAnomalies = 50): string[] {
  const c = result.counts;
  const found = Object.fromEntries(Object.entries(c.anomalies).filter(([, n]) => n > 0));
  const resends = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const lines = [
    `operations ${c.operations} (${list(c.operationsByKind)})`,
    `outcomes   ${list(c.outcomes)}`,
    `orders     ${c.orders}`,
    `events     payments.events.v1 ${c.events.payments} records, ${c.events.paymentIds} ids; ledger.entries.v1 ${c.events.ledger} records, ${c.events.ledgerIds} ids; journal ${c.journalEntries} entries`,
    `re-sent    after crashes: payments ${resends(c.resends.payments)}, ledger ${resends(c.resends.ledger)}`,
    `faults     ${list(c.faults)}`,
    `restarts   ${c.startFailures} processes died while starting and were started again`,
    `anomalies  ${result.anomalies.length}${result.anomalies.length > 0 ? ` (${list(found)})` : ''}`,
  ];
  for (const a of result.anomalies.slice(0, maxAnomalies)) {
    lines.push(`  ${a.kind}: ${a.outTradeNo ?? '-'}: ${a.step ? `${a.step}: ` : ''}${a.detail}`);
  }
  if (result.anomalies.length > maxAnomalies)
    lines.push(`  … ${result.anomalies.length - maxAnomalies} more`);
  return lines;
}
