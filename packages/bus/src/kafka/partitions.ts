// One send per partition. kafkajs 2.2.4 loses messages when a send that spans several brokers is
// retried after a partition's leadership moved: the retry skips every broker that answered the
// first attempt, even one that now leads a partition whose messages the old leader refused
// (NOT_LEADER_FOR_PARTITION), and the send resolves as if everything had been written
// (src/producer/sendMessages.js keeps `responsePerBroker` across attempts). A chaos run lost ledger
// entries that way while a broker was killed. A send of one partition's messages involves one
// broker per attempt, so the bus picks each message's partition itself, with the producer's own
// partitioner, and sends every partition's messages on their own, in order.
import { type Admin, type Message, Partitioners, type PartitionMetadata } from 'kafkajs';
import { retrying } from './retrying.js';

/** The partitioner the producer is created with (murmur2 of the key, as the Java client). */
export const partitioner = Partitioners.DefaultPartitioner;

/** A topic's partitions as the cluster last described them, looked up again when stale or forgotten. */
export interface TopicPartitions {
  of(topic: string): Promise<PartitionMetadata[]>;
  /** Drops what is known of the topic (after a failed send: leaders or partitions may have changed). */
  forget(topic: string): void;
}

export function topicPartitions(admin: Admin, maxAgeMs = 60_000): TopicPartitions {
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
