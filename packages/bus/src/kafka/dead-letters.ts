// Reading a dead-letter topic. kafkajs reads only through consumer groups. Listing uses a throwaway
// group that seeks to the redrive position of each partition and stops at the high watermark
// captured first; a redrive consumes as the group `<group>.redrive`, whose committed offsets are
// the redrive position.
import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { redriveGroup } from '../consume.js';
import { waitFor } from '../testing/wait.js';
import type { RawRecord } from '../types.js';
import { groupPositions } from './offsets.js';
import { rawFromKafka } from './records.js';

/** A record of the range with its place. */
export interface RangeRecord {
  raw: RawRecord;
  partition: number;
  offset: string;
}

/** Per partition: the redrive position, the end as it is now, and how many records lie between. */
async function pendingRange(admin: Admin, dlq: string, group: string) {
  const positions = await groupPositions(admin, redriveGroup(group), dlq);
  const starts = new Map(positions.map((p) => [p.partition, p.committed < 0n ? p.low : p.committed]));
  const ends = new Map(positions.map((p) => [p.partition, p.high]));
  const wanted = positions.reduce((n, p) => n + Number(p.high - starts.get(p.partition)!), 0);
  return { starts, ends, wanted };
}

/**
 * Runs a consumer of `groupId` on the dead-letter topic that hands each record of the range to
 * `onRecord` (the others are passed over) until `settle` resolves, then leaves.
 */
async function consumeRange(
  kafka: Kafka,
  groupId: string,
  dlq: string,
  { starts, ends }: { starts: Map<number, bigint>; ends: Map<number, bigint> },
  onRecord: (r: RangeRecord, consumer: Consumer) => Promise<void>,
  settle: (consumer: Consumer) => Promise<unknown>,
): Promise<void> {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const offset = BigInt(message.offset);
        if (offset < (starts.get(partition) ?? 0n) || offset >= (ends.get(partition) ?? 0n)) return;
        await onRecord({ raw: rawFromKafka(message), partition, offset: message.offset }, consumer);
      },
    });
    await settle(consumer);
  } finally {
    await consumer.disconnect();
  }
}

/** The dead letters after the redrive position, up to the end as it is now, oldest first per partition. */
export async function readPending(
  kafka: Kafka,
  admin: Admin,
  dlq: string,
  group: string,
  limit: number,
): Promise<{ records: RangeRecord[]; ends: Map<number, bigint> }> {
  const range = await pendingRange(admin, dlq, group);
  const { starts, ends, wanted } = range;
  if (wanted === 0) return { records: [], ends };
  const readerGroup = `${redriveGroup(group)}.reader-${randomBytes(4).toString('hex')}`;
  const records: RangeRecord[] = [];
  try {
    await consumeRange(
      kafka,
      readerGroup,
      dlq,
      range,
      async (r) => {
        records.push(r);
      },
      async (consumer) => {
        for (const [partition, start] of starts)
          consumer.seek({ topic: dlq, partition, offset: start.toString() });
        await waitFor(
          `${wanted} dead letters of ${group}`,
          () => records.length >= Math.min(wanted, limit) || undefined,
          { timeoutMs: 60_000 },
        );
      },
    );
  } finally {
    await admin.deleteGroups([readerGroup]).catch(() => undefined);
  }
  const ordered = records.sort(
    (a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1),
  );
  return { records: ordered.slice(0, limit), ends };
}

/**
 * Hands the dead letters after the redrive position, up to the end as it is now, to `handle`, one
 * at a time, committing the redrive position past each as a member of `<group>.redrive`. Records
 * dead-lettered again during the run land after the end and wait for the next redrive.
 */
export async function consumePending(
  kafka: Kafka,
  admin: Admin,
  dlq: string,
  group: string,
  handle: (r: RangeRecord) => Promise<void>,
): Promise<number> {
  const range = await pendingRange(admin, dlq, group);
  const { wanted } = range;
  if (wanted === 0) return 0;
  let done = 0;
  let failure: unknown;
  await consumeRange(
    kafka,
    redriveGroup(group),
    dlq,
    range,
    async (r, consumer) => {
      try {
        await handle(r);
        await consumer.commitOffsets([
          { topic: dlq, partition: r.partition, offset: (BigInt(r.offset) + 1n).toString() },
        ]);
        done += 1;
      } catch (err) {
        failure ??= err;
        throw err;
      }
    },
    () =>
      waitFor(
        `redrive of ${wanted} dead letters of ${group}`,
        () => done >= wanted || failure !== undefined,
        {
          timeoutMs: 120_000,
        },
      ),
  );
  if (failure !== undefined) throw failure;
  return done;
}
