// Kafka faults. The broker leading a partition of payments.events.v1 SIGKILLed while the gateways
// publish to it, then started again on its data: the cluster's metadata shows the leadership move
// and the replicas coming back in sync; the record is returned once the leader has moved, and the
// restart goes on beside the next faults (ctx.defer) and adds its evidence. And the whole cluster
// down at once (clusterOutage).
import type { FleetMember } from '@paystream/fleet';
import type { FaultRecord } from '../history.js';
import { type FaultContext, sleep } from './context.js';

export const EVENTS_TOPIC = 'payments.events.v1';
export const LEDGER_TOPIC = 'ledger.entries.v1';

/** Waits for every replica of both topics to be in sync again, and says how long it took. */
async function inSync(cluster: FaultContext['cluster'], killedAt: number): Promise<string> {
  return cluster.waitInSync([EVENTS_TOPIC, LEDGER_TOPIC], 120_000).then(
    () =>
      `every replica of ${EVENTS_TOPIC} and ${LEDGER_TOPIC} back in sync ${Date.now() - killedAt} ms after the kill`,
    (err: unknown) => `replicas not yet in sync: ${(err as Error).message}`,
  );
}

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
      evidence.push(await inSync(cluster, startedAt));
      record.endedAt = Date.now();
      ctx.log(`fault: kafka node ${leader.id} is back`);
    })(),
  );
  return record;
}

/**
 * A Kafka fault: every node of the cluster SIGKILLed at once, down for `downMs`, then started again
 * on its data. Nothing can be published and no group has a coordinator meanwhile: the gateways'
 * outboxes hold their events, and the hosts' consumers retry, or, when kafkajs gives up on finding
 * their group's coordinator, stop for good and are replaced by the bus (which of the two depends
 * on where each consumer was when the nodes died). The record is returned once every replica is
 * back in sync; its evidence is the kills, the restart, the sync, and any consumer replaced (the
 * bus's log line).
 */
export async function clusterOutage(
  ctx: FaultContext,
  hosts: readonly FleetMember[],
  downMs = 8_000,
): Promise<FaultRecord> {
  const { cluster } = ctx;
  const startedAt = Date.now();
  const seen = new Map(hosts.map((h) => [h.name, h.process.lines.length]));
  const pids = cluster.nodes.map((n) => `node ${n.id} (pid ${n.pid()})`).join(', ');
  ctx.log(`fault: SIGKILL every kafka node: ${pids}`);
  await Promise.all(cluster.nodes.map((n) => n.kill()));
  const evidence = [`every kafka node SIGKILLed: ${pids}`];
  await sleep(Math.max(0, startedAt + downMs - Date.now()));
  const restartAt = Date.now();
  await Promise.all(cluster.nodes.map((n) => n.start()));
  evidence.push(
    `every kafka node started again after ${restartAt - startedAt} ms down, in ${Date.now() - restartAt} ms`,
  );
  evidence.push(await inSync(cluster, startedAt));
  for (const host of hosts) {
    const replaced = host.process.lines
      .slice(seen.get(host.name) ?? 0)
      .filter((l) => String(l.msg).endsWith('starting a new consumer'));
    if (replaced.length > 0)
      evidence.push(
        `${host.name}: ${replaced.length} consumer(s) stopped by kafkajs and replaced by the bus`,
      );
  }
  ctx.log('fault: the kafka cluster is back');
  return { kind: 'cluster-outage', startedAt, endedAt: Date.now(), evidence, crashes: [] };
}
