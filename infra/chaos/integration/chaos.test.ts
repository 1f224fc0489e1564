// The short chaos run: a three-broker cluster and a fleet of their own (two gateways behind the
// proxy, two plugin hosts and a standby one), a mixed workload through @paystream/client, and
// every fault kind once while it runs. The history checker must find nothing lost, doubled or
// contradicted, and every fault must have left its evidence. The report (counts, each fault's
// evidence, timings) is printed and written to infra/chaos/.run/suite/report.json.
import { expect, it } from 'vitest';
import { FAULT_KINDS, runChaos } from '../src/run.js';
import { shortRunOptions } from '../src/short-run.js';

it('a short chaos run: every fault once, and the history checks clean', {
  timeout: 15 * 60_000,
}, async () => {
  const run = await runChaos(shortRunOptions({ log: (line) => console.info(`chaos: ${line}`) }));
  console.info([...run.lines, `timings ${JSON.stringify(run.timings)}`].join('\n'));
  expect(run.result.anomalies).toEqual([]);
  expect(Object.keys(run.result.counts.faults).sort()).toEqual([...FAULT_KINDS].sort());
  // A workload, not a handful of calls: creates, payments and refunds each in the dozens.
  expect(run.result.counts.operationsByKind.create).toBeGreaterThan(50);
  expect(run.result.counts.operationsByKind.pay).toBeGreaterThan(20);
  expect(run.result.counts.operationsByKind.refund).toBeGreaterThan(10);
});
