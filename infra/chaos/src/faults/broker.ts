// A Kafka fault: the broker leading a partition of payments.events.v1 is SIGKILLed while the
// gateways publish to it, then started again on its data. The cluster's metadata shows the
// leadership move and the replicas coming back in sync. The record is returned once the leader
// has moved; the restart goes on beside the next faults (ctx.defer) and adds its evidence.
import type { FaultRecord } from '../history.js';
import { type FaultContext, sleep } from './context.js';

export const EVENTS_TOPIC = 'payments.events.v1';
export const LEDGER_TOPIC = 'ledger.entries.v1';

export async function killPartitionLeader(
  ctx: FaultContext,
  partition = 0,
  downMs = 8_000,
): Promise<FaultRecord> {
  const { cluster } = ctx;
  const startedAt = Date.now();
  const leader = await cluster.leaderOf(EVENTS_TOPIC, partition);
  if (!leader) {
    return { kind: 'leader-kill', startedAt, endedAt: Date.now(), evidence: [], crashes: [] };
  }
  const pid = leader.pid();
  ctx.log(`fault: SIGKILL kafka node ${leader.id} (pid ${pid}), leader of ${EVENTS_TOPIC}/${partition}`);
  await leader.kill();
  const evidence = [`kafka node ${leader.id} (pid ${pid}) led ${EVENTS_TOPIC}/${partition}; SIGKILLed`];
  // The controller fences the dead broker after its session times out and elects a new leader.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await cluster.leaderOf(EVENTS_TOPIC, partition).catch(() => undefined);
    if (now && now.id !== leader.id) {
      evidence.push(
        `${EVENTS_TOPIC}/${partition} leader moved from node ${leader.id} to node ${now.id} after ${Date.now() - startedAt} ms`,
      );
      break;
    }
    if (Date.now() > deadline) break;
    await sleep(500);
  }
  const record: FaultRecord = {
    kind: 'leader-kill',
    target: `node-${leader.id}`,
    startedAt,
    endedAt: Date.now(),
    evidence,
    crashes: [],
  };
  ctx.defer(
    (async () => {
      await sleep(Math.max(0, startedAt + downMs - Date.now()));
      const restartAt = Date.now();
      await leader.start();
      evidence.push(
        `kafka node ${leader.id} started again (pid ${leader.pid()}) in ${Date.now() - restartAt} ms`,
      );
      await cluster.waitInSync([EVENTS_TOPIC, LEDGER_TOPIC], 120_000).then(
        () =>
          evidence.push(
            `every replica of ${EVENTS_TOPIC} and ${LEDGER_TOPIC} back in sync ${Date.now() - startedAt} ms after the kill`,
          ),
        (err: unknown) => evidence.push(`replicas not yet in sync: ${(err as Error).message}`),
      );
      record.endedAt = Date.now();
      ctx.log(`fault: kafka node ${leader.id} is back`);
    })(),
  );
  return record;
}
