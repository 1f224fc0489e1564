import { type Admin, type Message, Partitioners, type PartitionMetadata, type ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { byPartition, partitioner, sendChecked, topicPartitions, unacknowledged } from './partitions.js';

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

describe('unacknowledged', () => {
  const ok = (partition: number, topicName = 't') => ({ topicName, partition, errorCode: 0 });

  it('is empty when every partition sent is acknowledged', () => {
    expect(unacknowledged('t', [0, 2, 5], [ok(5), ok(0), ok(2)])).toEqual([]);
  });

  it("names a partition missing from the answer (kafkajs's retry that skipped its new leader)", () => {
    // The retry resolved with the earlier answer of the broker that now leads partition 2.
    expect(unacknowledged('t', [0, 2], [ok(0)])).toEqual([2]);
  });

  it('names a partition answered with an error, or acknowledged for another topic', () => {
    expect(unacknowledged('t', [0, 1, 3], [ok(0), { ...ok(1), errorCode: 6 }, ok(3, 'other')])).toEqual([
      1, 3,
    ]);
  });
});

describe('sendChecked', () => {
  const groups = new Map<number, Message[]>([
    [0, [{ key: 'a', value: 'a1', partition: 0 }]],
    [
      2,
      [
        { key: 'b', value: 'b1', partition: 2 },
        { key: 'b', value: 'b2', partition: 2 },
      ],
    ],
    [4, [{ key: 'c', value: 'c1', partition: 4 }]],
  ]);
  /** A producer whose answers are scripted: each send gets the next answer, given what it sent. */
  const producer = (answers: ((partitions: number[]) => number[])[]) => {
    const sends: { partition: number; value: string }[][] = [];
    return {
      sends,
      send: async (record: ProducerRecord) => {
        const sent = record.messages.map((m) => ({ partition: m.partition!, value: String(m.value) }));
        sends.push(sent);
        const acked = answers[sends.length - 1]!([...new Set(sent.map((m) => m.partition))]);
        return acked.map((partition) => ({ topicName: record.topic, partition, errorCode: 0 }));
      },
    };
  };

  it('sends every partition in one send, each keeping its order', async () => {
    const p = producer([(all) => all]);
    await sendChecked(p, 't', groups, silentLogger);
    expect(p.sends).toHaveLength(1);
    expect(p.sends[0]!.map((m) => m.value)).toEqual(['a1', 'b1', 'b2', 'c1']);
  });

  it('sends again, alone, only the partitions the answer lacks (the kafkajs retry that skipped one)', async () => {
    const p = producer([(all) => all.filter((x) => x !== 2), (all) => all]);
    await sendChecked(p, 't', groups, silentLogger);
    expect(p.sends).toHaveLength(2);
    expect(p.sends[1]).toEqual([
      { partition: 2, value: 'b1' },
      { partition: 2, value: 'b2' },
    ]);
  });

  it('sends each leader its own partitions, so no attempt of a send spans two brokers', async () => {
    const p = producer([(all) => all, (all) => all]);
    await sendChecked(
      p,
      't',
      groups,
      silentLogger,
      new Map([
        [0, 1],
        [2, 2],
        [4, 1],
      ]),
    );
    expect(p.sends.map((sent) => [...new Set(sent.map((m) => m.partition))]).sort()).toEqual([[0, 4], [2]]);
  });

  it('throws, naming the partition, when its own send is not acknowledged either', async () => {
    const p = producer([() => [0], (all) => all, () => []]);
    await expect(sendChecked(p, 't', groups, silentLogger)).rejects.toThrow(
      /t\/4: the send resolved without/,
    );
  });
});
