// Group positions through the admin API: where a new group starts, how far behind a group is, and
// an operator's replay. kafkajs applies `fromBeginning: false` only when the consumer first fetches,
// after joining; taking the partitions' ends when `subscribe` is called makes "from now on" mean
// from that moment, on Kafka as on the embedded bus.
import type { Admin } from 'kafkajs';
import { retrying } from './retrying.js';

/** Per partition: committed offset (or -1), low and high watermarks. */
export interface PartitionPosition {
  partition: number;
  committed: bigint;
  low: bigint;
  high: bigint;
}

/** Where a group stands on a topic, partition by partition. */
export async function groupPositions(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<PartitionPosition[]> {
  const [watermarks, committed] = await retrying(() =>
    Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]),
  );
  const byPartition = new Map(
    (committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
  );
  return watermarks.map((w) => ({
    partition: w.partition,
    committed: byPartition.get(w.partition) ?? -1n,
    low: BigInt(w.low),
    high: BigInt(w.high),
  }));
}

/** Messages not yet committed by the group (a partition never committed counts from its low mark). */
export function lagOf(positions: readonly PartitionPosition[]): number {
  return positions.reduce((sum, p) => {
    const from = p.committed < 0n ? p.low : p.committed;
    return sum + Number(p.high > from ? p.high - from : 0n);
  }, 0);
}

/**
 * For a group that has committed nothing yet: each partition's end now, below which records are
 * history the group did not ask for. Empty for a group that already has positions.
 */
export async function newGroupFloors(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  const positions = await groupPositions(admin, groupId, topic);
  if (positions.some((p) => p.committed >= 0n)) return new Map();
  return new Map(positions.map((p) => [p.partition, p.high]));
}

/** Moves a group (no running consumer) to the oldest retained event of every partition. */
export async function rewindGroup(admin: Admin, groupId: string, topic: string): Promise<void> {
  await untilGroupIdle(admin, groupId);
  const positions = await groupPositions(admin, groupId, topic);
  await setPositions(
    admin,
    groupId,
    topic,
    positions.map((p) => ({ partition: p.partition, offset: p.low })),
  );
}

/** Commits explicit offsets for a group (kafkajs's resetOffsets commits -2, which reads as "none"). */
export async function setPositions(
  admin: Admin,
  groupId: string,
  topic: string,
  partitions: readonly { partition: number; offset: bigint }[],
): Promise<void> {
  await retrying(() =>
    admin.setOffsets({
      groupId,
      topic,
      partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset.toString() })),
    }),
  );
}

/** States in which Kafka accepts a group's offsets from outside: no member is running. */
const IDLE_STATES = new Set(['Empty', 'Dead']);

/**
 * Waits for a group whose consumers were just stopped to have none: the coordinator finishes the
 * rebalance their leaving started (PreparingRebalance) before it accepts new offsets, and refuses
 * them until then. A group with a consumer still running after `deadlineMs` is an error naming it.
 */
export async function untilGroupIdle(admin: Admin, groupId: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const { groups } = await retrying(() => admin.describeGroups([groupId]));
    const group = groups.find((g) => g.groupId === groupId);
    if (!group || IDLE_STATES.has(group.state)) return;
    if (Date.now() + delay > deadline) {
      const members = group.members.map((m) => `${m.clientId} (${m.clientHost})`).join(', ');
      throw new Error(
        `group ${groupId} still has running consumers (state ${group.state}${members ? `: ${members}` : ''}); stop them first`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
