import { type Admin, Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { byPartition, partitioner, topicPartitions } from './partitions.js';

const meta = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: i % 3,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));

describe('byPartition', () => {
  it('puts each message where the producer would, one group per partition, in order', () => {
    const messages = Array.from({ length: 40 }, (_, i) => ({ key: `order-${i % 9}`, value: `v${i}` }));
    const groups = byPartition('t', messages, meta(6), partitioner());
    // The producer's own partitioner, left to choose: the same partition for every message.
    const producerChoice = Partitioners.DefaultPartitioner();
    for (const [partition, group] of groups) {
      for (const m of group) {
        expect(
          producerChoice({ topic: 't', partitionMetadata: meta(6), message: { key: m.key, value: m.value } }),
        ).toBe(partition);
        expect(m.partition).toBe(partition);
      }
    }
    // Nothing lost, nothing added, and one key's messages keep their order.
    expect(
      [...groups.values()]
        .flat()
        .map((m) => m.value)
        .sort(),
    ).toEqual(messages.map((m) => m.value).sort());
    const ofKey = (key: string) =>
      [...groups.values()]
        .flat()
        .filter((m) => m.key === key)
        .map((m) => m.value);
    expect(ofKey('order-4')).toEqual(messages.filter((m) => m.key === 'order-4').map((m) => m.value));
  });
});

describe('topicPartitions', () => {
  it('asks the cluster once, again after forget, and sorts the partitions', async () => {
    let asked = 0;
    const admin = {
      fetchTopicMetadata: async () => {
        asked += 1;
        return { topics: [{ name: 't', partitions: [...meta(3)].reverse() }] };
      },
    } as unknown as Admin;
    const partitions = topicPartitions(admin);
    expect((await partitions.of('t')).map((p) => p.partitionId)).toEqual([0, 1, 2]);
    await partitions.of('t');
    expect(asked).toBe(1);
    partitions.forget('t');
    await partitions.of('t');
    expect(asked).toBe(2);
  });

  it('refuses a topic without partitions', async () => {
    const admin = {
      fetchTopicMetadata: async () => ({ topics: [{ name: 't', partitions: [] }] }),
    } as unknown as Admin;
    await expect(topicPartitions(admin).of('t')).rejects.toThrow('topic t has no partitions');
  });
});
