// Every fault of the run must be shown to have happened (a log line, a metric, the cluster's
// metadata), and every kind the run meant to inject must be there. No process may die of what a
// fault did to something else.
import type { FaultKind, FaultRecord, Incident } from '../history.js';
import type { Anomaly } from './anomaly.js';

export function checkFaults(faults: readonly FaultRecord[], expected: readonly FaultKind[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  for (const f of faults) {
    if (f.evidence.length === 0) {
      anomalies.push({
        kind: 'fault-not-shown',
        step: `${f.kind}${f.target ? ` ${f.target}` : ''}`,
        detail: `the ${f.kind} at ${new Date(f.startedAt).toISOString()} left no evidence that it happened`,
      });
    }
  }
  for (const kind of expected) {
    if (!faults.some((f) => f.kind === kind && f.evidence.length > 0)) {
      anomalies.push({ kind: 'fault-not-shown', step: kind, detail: `no ${kind} happened during the run` });
    }
  }
  return anomalies;
}

const lastLines = (stderr: string) => stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

export function checkIncidents(
  incidents: readonly Incident[],
  startFailures: readonly Incident[] = [],
): Anomaly[] {
  return [
    ...incidents.map((i) => ({
      kind: 'process-died' as const,
      step: i.member,
      detail: `${i.member} died at ${new Date(i.at).toISOString()} (${i.code ?? i.signal}) with no fault ending it: ${lastLines(i.stderr)}`,
    })),
    ...startFailures.map((i) => ({
      kind: 'start-failed' as const,
      step: i.member,
      detail: `${i.member} died while starting at ${new Date(i.at).toISOString()} (${i.code ?? i.signal}): ${lastLines(i.stderr)}`,
    })),
  ];
}
