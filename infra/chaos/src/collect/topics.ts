// Every record of a topic, read from the beginning by a consumer group of its own, up to the end
// offsets the topic had when the read began (the run has settled: nothing is being published).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { TopicRecord } from '../history.js';

export async function readTopic(
  brokers: string[],
  topic: string,
  timeoutMs = 120_000,
): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: 'chaos-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const records: TopicRecord[] = [];
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({
    groupId: `chaos-reader-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const header = (name: string) => m.headers?.[name]?.toString();
          let value: unknown;
          try {
            value = m.value ? JSON.parse(m.value.toString()) : undefined;
          } catch {
            value = m.value?.toString();
          }
          records.push({
            topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: Number(m.timestamp),
            key: m.key?.toString(),
            id: header('ce_id') ?? '',
            type: header('ce_type') ?? '',
            subject: header('ce_subject') ?? m.key?.toString() ?? '',
            data: value,
          });
          if (BigInt(m.offset) + 1n >= (ends.get(batch.partition) ?? 0n)) remaining.delete(batch.partition);
        }
        if (remaining.size === 0) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`reading ${topic}: partitions ${[...remaining].join(', ')} not read to their end`),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return records;
}
