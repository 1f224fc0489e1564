import type { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { coalescing } from '../coalesce.js';
import {
  DeliveryAborted,
  deadLetterTopic,
  deadLetterView,
  deliverBatch,
  type FetchedRecord,
  redriveGroup,
  resolveSubscribeOptions,
} from '../consume.js';
import { errorMessage } from '../log.js';
import { publishEvents, redriveTally, transportBase } from '../transport.js';
import type { CommonBusOptions, EventBus, RawRecord, Subscription } from '../types.js';
import { type KafkaClientOptions, kafkaClient } from './client.js';
import { consumePending, readPending } from './dead-letters.js';
import { groupPositions, lagOf, newGroupFloors, rewindGroup } from './offsets.js';
import { byPartition, partitioner, sendChecked, topicPartitions } from './partitions.js';
import { rawFromKafka } from './records.js';
import { retrying } from './retrying.js';
import { superviseConsumer } from './supervise.js';
import { ensureTopics, type TopicSettings } from './topics.js';

/** Options of {@link createKafkaBus}. */
export interface KafkaBusOptions extends CommonBusOptions, KafkaClientOptions, TopicSettings {
  /** Consumer session timeout: how fast a dead consumer's partitions move on. Default 10 s. */
  sessionTimeoutMs?: number;
  /** Default 1 s (must be well below the session timeout). */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for data. Default 500 ms. */
  maxWaitTimeMs?: number;
  /**
   * Bytes fetched per partition per batch. Default 256 KiB: about 400 payment events, close to a
   * batch handler's run of 500, while everything fetched for the six partitions handled at once
   * stays in memory until handled (at 1 MiB that held a plugin host near 550 MB peak RSS).
   */
  maxBytesPerPartition?: number;
  /**
   * Partitions one consumer handles at once (each still one batch at a time, in order). Default 6,
   * the default partition count: a handler that writes to a database mostly waits on it, and
   * batches of different partitions wait side by side.
   */
  partitionsConsumedConcurrently?: number;
}

/** The Kafka transport plus what tests and tools need beyond the contract. */
export interface KafkaEventBus extends EventBus {
  readonly topic: string;
}

/** Connects to Kafka, creates the topic if missing, and returns the bus (idempotent producer, acks=all). */
export async function createKafkaBus(opts: KafkaBusOptions): Promise<KafkaEventBus> {
  if (opts.brokers.length === 0) throw new Error('createKafkaBus needs at least one broker');
  const base = transportBase(opts);
  const { topic, logger } = base;
  const kafka = kafkaClient(opts, logger);
  const admin = kafka.admin();
  // Idempotence needs one in-flight request to keep per-partition order across retries.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: partitioner,
  });
  await retrying(() => admin.connect(), { logger, what: 'connecting the admin client' });
  await ensureTopics(admin, [topic], opts);
  await retrying(() => producer.connect(), { logger, what: 'connecting the producer' });

  const subscriptions = new Set<Subscription>();
  const crashed = new Map<string, string>();
  let closed = false;

  // A batch in one send per leader, each message's partition chosen here and its acknowledgement
  // checked (partitions.ts says why).
  const partitions = topicPartitions(admin);
  const partitionOf = partitioner();
  const send = async (to: string, records: readonly RawRecord[]) => {
    const metadata = await partitions.of(to);
    const groups = byPartition(
      to,
      records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      metadata,
      partitionOf,
    );
    const leaders = new Map(metadata.map((p) => [p.partitionId, p.leader]));
    try {
      await sendChecked(producer, to, groups, logger, leaders);
    } catch (err) {
      // Leaders or the partitions may have moved: look again before the next send.
      partitions.forget(to);
      throw err;
    }
  };

  const bus: KafkaEventBus = {
    topic,

    async publish(events) {
      if (closed) throw new Error('bus is closed');
      await publishEvents(base, 'kafka', events, (records) => send(topic, records));
    },

    publishRaw: async (to, records) => {
      await ensureTopics(admin, [to], opts);
      await send(to, records);
    },

    async subscribe(group, handler, subscribeOpts) {
      if (closed) throw new Error('bus is closed');
      const resolved = resolveSubscribeOptions(subscribeOpts);
      // One fetch's partitions reach the batch handler in one call (coalesce.ts says why).
      const o = resolved.batch
        ? { ...resolved, batch: coalescing(resolved.batch, resolved.maxBatchSize) }
        : resolved;
      const dlq = deadLetterTopic(topic, group);
      await ensureTopics(admin, [dlq], opts);
      // A new group starts where the log ends now: records below these offsets are skipped (and
      // committed past) instead of delivered. kafkajs itself reads from the earliest offset, so
      // nothing published after this line can fall between the snapshot and the first fetch.
      const floors = o.fromBeginning ? new Map<number, bigint>() : await newGroupFloors(admin, group, topic);
      const consumerOptions = {
        groupId: group,
        sessionTimeout: opts.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: opts.heartbeatIntervalMs ?? 1000,
        rebalanceTimeout: Math.max(opts.sessionTimeoutMs ?? 10_000, 10_000),
        maxWaitTimeInMs: opts.maxWaitTimeMs ?? 500,
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 256 * 1024,
        retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 5000 },
      };
      const abort = new AbortController();

      // Batches being handled: close() waits for them before disconnecting, because kafkajs silently
      // drops commitOffsets() once its own stop() has begun.
      const inFlight = new Set<Promise<void>>();
      const handleBatch = async (
        consumer: Consumer,
        { batch, heartbeat, resolveOffset, isRunning, isStale }: EachBatchPayload,
      ) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const floor = floors.get(batch.partition) ?? 0n;
        const fresh = batch.messages.filter((m) => BigInt(m.offset) >= floor);
        if (fresh.length < batch.messages.length && fresh.length === 0) {
          // Only history from before the group existed: move past it without delivering it.
          const last = batch.messages[batch.messages.length - 1]!.offset;
          resolveOffset(last);
          await consumer.commitOffsets([
            { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
          return;
        }
        const records: FetchedRecord[] = fresh.map((m) => ({
          raw: rawFromKafka(m),
          partition: batch.partition,
          offset: m.offset,
        }));
        const commitPrefix = async (done: number) => {
          const last = records[done - 1]!.offset;
          resolveOffset(last);
          await consumer.commitOffsets([
            { topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
        };
        const outcome = await deliverBatch(records, {
          ...base,
          group,
          handler,
          opts: o,
          signal: abort.signal,
          heartbeat,
          deadLetter: (r) => send(dlq, [r]),
          progress: (done) => commitPrefix(done),
        });
        // Commit exactly the handled prefix: what follows is fetched again (at-least-once).
        if (outcome.done > 0) await commitPrefix(outcome.done);
        if (outcome.error !== undefined && !(outcome.error instanceof DeliveryAborted)) throw outcome.error;
      };
      const run = async (consumer: Consumer) => {
        await retrying(() => consumer.connect(), { logger, what: `connecting ${group}` });
        await retrying(() => consumer.subscribe({ topic, fromBeginning: true }), {
          logger,
          what: `subscribing ${group}`,
        });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 6,
          eachBatch: (payload) => {
            if (abort.signal.aborted) return Promise.resolve();
            const p = handleBatch(consumer, payload).finally(() => inFlight.delete(p));
            inFlight.add(p);
            return p;
          },
        });
      };
      const supervised = await superviseConsumer({
        group,
        logger,
        create: () => kafka.consumer(consumerOptions),
        run,
        onState: (detail) => (detail === undefined ? crashed.delete(group) : crashed.set(group, detail)),
        onRestart: () => base.metrics.consumerRestarts.inc(group),
      });

      const sub: Subscription = {
        close: async () => {
          if (!subscriptions.delete(sub)) return;
          abort.abort();
          // In-flight handlers finish and their prefix is committed while the consumer still runs.
          await Promise.allSettled([...inFlight]);
          await supervised.stop();
        },
      };
      subscriptions.add(sub);
      return sub;
    },

    async lag(group) {
      return lagOf(await groupPositions(admin, group, topic));
    },

    async deadLetterCount(group) {
      const dlq = deadLetterTopic(topic, group);
      await ensureTopics(admin, [dlq], opts);
      return lagOf(await groupPositions(admin, redriveGroup(group), dlq));
    },

    async deadLetters(group, o = {}) {
      const dlq = deadLetterTopic(topic, group);
      await ensureTopics(admin, [dlq], opts);
      const { records } = await readPending(kafka, admin, dlq, group, o.limit ?? 1000);
      return records.map((r) => deadLetterView(r.raw, `${r.partition}:${r.offset}`));
    },

    async redrive(group, handler, subscribeOpts) {
      const resolved = resolveSubscribeOptions(subscribeOpts);
      // One fetch's partitions reach the batch handler in one call (coalesce.ts says why).
      const o = resolved.batch
        ? { ...resolved, batch: coalescing(resolved.batch, resolved.maxBatchSize) }
        : resolved;
      const dlq = deadLetterTopic(topic, group);
      await ensureTopics(admin, [dlq], opts);
      const signal = new AbortController().signal;
      const deadLetter = (rec: RawRecord) => send(dlq, [rec]);
      return redriveTally({ ...base, group, handler, opts: o, signal, deadLetter }, (redrive) =>
        consumePending(kafka, admin, dlq, group, redrive),
      );
    },

    async resetOffsets(group) {
      await rewindGroup(admin, group, topic);
    },

    async health() {
      if (closed) return { ok: false, detail: 'closed' };
      if (crashed.size > 0) return { ok: false, detail: [...crashed.values()].join('; ') };
      try {
        const { brokers } = await admin.describeCluster();
        return { ok: true, detail: `kafka: ${brokers.length} broker(s)` };
      } catch (err) {
        return { ok: false, detail: `kafka unreachable: ${errorMessage(err)}` };
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await producer.disconnect();
      await admin.disconnect();
    },
  };
  return bus;
}
