// One send per batch, every partition's acknowledgement checked. kafkajs 2.2.4 loses messages when
// a send that spans several brokers is retried after a partition's leadership moved: the retry
// skips every broker that answered an earlier attempt, even one that now leads a partition whose
// messages the old leader refused (NOT_LEADER_FOR_PARTITION), and the send resolves with that
// broker's earlier answer, as if everything had been written (src/producer/sendMessages.js keeps
// `responsePerBroker` across attempts). A chaos run lost ledger entries that way while a broker was
// killed. The skipped partition is missing from what the send resolves with, so the bus picks each
// message's partition itself, with the producer's own partitioner, checks the answer, and sends
// the partitions it lacks again, each on its own: a send of one partition involves one broker per
// attempt, so the bug cannot recur, and the partitions already written are not sent twice.
//
// The same retry also writes twice: a partition the first attempt wrote through one broker, whose
// leadership then moved to a broker that had refused its own partitions, goes in the retry's request
// to that broker, under a new sequence number, so the broker cannot tell it from new messages (a
// chaos run: one ledger entry twice at consecutive offsets, 280 ms apart, during a leader kill).
// Hence one send per leader, as the cluster last described the partitions' leaders: each attempt
// of a send then involves one broker, the sends to different brokers run at once (as the requests
// of one send did), and a refused request leaves kafkajs nothing already written to send again.
//
// One send per partition avoided both too, but the idempotent producer holds a lock per broker
// for each produce request, so a relay's batch spread over six partitions cost six sequential round
// trips to the broker: most of a payment's time between the gateway and the ledger.
import {
  type Admin,
  type Message,
  Partitioners,
  type PartitionMetadata,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';
import type { BusLogger } from '../types.js';
import { retrying } from './retrying.js';

/** The partitioner the producer is created with (murmur2 of the key, as the Java client). */
export const partitioner = Partitioners.DefaultPartitioner;

/**
 * A topic's partitions as the cluster last described them, looked up again when stale (10 s: the
 * leaders the sends are grouped by follow a failover within seconds) or forgotten.
 */
export interface TopicPartitions {
  of(topic: string): Promise<PartitionMetadata[]>;
  /** Drops what is known of the topic (after a failed send: leaders or partitions may have changed). */
  forget(topic: string): void;
}

export function topicPartitions(admin: Admin, maxAgeMs = 10_000): TopicPartitions {
  const known = new Map<string, { at: number; partitions: PartitionMetadata[] }>();
  return {
    async of(topic) {
      const cached = known.get(topic);
      if (cached && Date.now() - cached.at < maxAgeMs) return cached.partitions;
      const { topics } = await retrying(() => admin.fetchTopicMetadata({ topics: [topic] }));
      const partitions = [...(topics[0]?.partitions ?? [])].sort((a, b) => a.partitionId - b.partitionId);
      if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions`);
      known.set(topic, { at: Date.now(), partitions });
      return partitions;
    },
    forget(topic) {
      known.delete(topic);
    },
  };
}

/** The messages grouped by the partition the partitioner gives each, in their order. */
export function byPartition(
  topic: string,
  messages: readonly Message[],
  partitions: PartitionMetadata[],
  partitionOf: ReturnType<typeof partitioner>,
): Map<number, Message[]> {
  const groups = new Map<number, Message[]>();
  for (const message of messages) {
    const partition = partitionOf({ topic, partitionMetadata: partitions, message });
    const group = groups.get(partition) ?? [];
    group.push({ ...message, partition });
    groups.set(partition, group);
  }
  return groups;
}

/**
 * The partitions of `sent` that `written` (what the send resolved with) does not acknowledge: absent,
 * or answered with an error. Empty when every partition's messages were written.
 */
export function unacknowledged(
  topic: string,
  sent: Iterable<number>,
  written: readonly RecordMetadata[],
): number[] {
  const acked = new Set(
    written.filter((m) => m.topicName === topic && m.errorCode === 0).map((m) => m.partition),
  );
  return [...sent].filter((partition) => !acked.has(partition));
}

/**
 * Sends `groups` (from {@link byPartition}) in one send per leader (`leaders`: partition → broker
 * id; unknown partitions share one send) and resolves once every partition is acknowledged: the
 * partitions an answer lacks go again, each in a send of its own. Throws when a partition's own send
 * resolves unacknowledged too.
 */
export async function sendChecked(
  producer: Pick<Producer, 'send'>,
  topic: string,
  groups: ReadonlyMap<number, Message[]>,
  logger: BusLogger,
  leaders: ReadonlyMap<number, number> = new Map(),
): Promise<void> {
  const perLeader = new Map<number, number[]>();
  for (const partition of groups.keys()) {
    const leader = leaders.get(partition) ?? -1;
    perLeader.set(leader, [...(perLeader.get(leader) ?? []), partition]);
  }
  await Promise.all(
    [...perLeader.values()].map((partitions) => sendPartitions(producer, topic, groups, partitions, logger)),
  );
}

async function sendPartitions(
  producer: Pick<Producer, 'send'>,
  topic: string,
  groups: ReadonlyMap<number, Message[]>,
  partitions: readonly number[],
  logger: BusLogger,
): Promise<void> {
  const messages = partitions.flatMap((partition) => groups.get(partition) ?? []);
  const written = await producer.send({ topic, acks: -1, messages });
  const missing = unacknowledged(topic, partitions, written);
  if (missing.length === 0) return;
  logger.warn({ topic, partitions: missing }, 'a send resolved without some partitions; sending those alone');
  await Promise.all(
    missing.map(async (partition) => {
      const again = await producer.send({ topic, acks: -1, messages: groups.get(partition) ?? [] });
      if (unacknowledged(topic, [partition], again).length > 0) {
        throw new Error(`${topic}/${partition}: the send resolved without the partition's acknowledgement`);
      }
    }),
  );
}
