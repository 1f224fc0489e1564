// The events a consumer benchmark reads: payments as the gateway records them, each order a
// `payment.created` (sequence 1) and a `payment.succeeded` (sequence 2), keyed by order so one
// order's events share a partition, produced to the real broker before the clock starts.
import { createEvent, type PaystreamEvent, toKafkaMessage } from '@paystream/events';
import { EVENTS_TOPIC } from '@paystream/telemetry';
import { type Admin, Kafka, logLevel, Partitioners } from 'kafkajs';

export const TOPIC = EVENTS_TOPIC;

export function paymentEvents(prefix: string, orders: number): PaystreamEvent[] {
  const out: PaystreamEvent[] = [];
  const occurredAt = new Date().toISOString();
  for (let k = 0; k < orders; k++) {
    const base = {
      outTradeNo: `${prefix}-${k}`,
      amountMinor: 100 + (k % 5000),
      currency: 'HKD' as const,
      wallet: 'WECHATHK' as const,
      occurredAt,
    };
    const source = '/paystream/bench';
    out.push(
      createEvent(
        'payment.created',
        { ...base, sequence: 1, operation: 'create', code: '00', category: 'success' },
        { source, id: `${prefix}:${k}:1`, time: occurredAt },
      ),
      createEvent(
        'payment.succeeded',
        { ...base, sequence: 2, operation: 'notify', code: '00', category: 'success' },
        { source, id: `${prefix}:${k}:2`, time: occurredAt },
      ),
    );
  }
  return out;
}

export function kafkaFor(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/**
 * Creates the events topic as the gateway would (6 partitions, the KAFKA_TOPIC_PARTITIONS default)
 * when no earlier case has, and waits until its partitions answer.
 */
export async function ensureEventsTopic(admin: Admin, partitions = 6): Promise<void> {
  if (!(await admin.listTopics()).includes(TOPIC))
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.fetchTopicOffsets(TOPIC);
      return;
    } catch (err) {
      if (attempt >= 40) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Each partition's end offset now. */
export async function topicEnds(admin: Admin, topic = TOPIC): Promise<Map<number, string>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, o.high]));
}

export async function produce(kafka: Kafka, events: readonly PaystreamEvent[], topic = TOPIC): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 2000) {
      await producer.send({
        topic,
        acks: -1,
        messages: events.slice(i, i + 2000).map((e) => {
          const m = toKafkaMessage(e);
          return { key: m.key, value: m.value, headers: m.headers };
        }),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Commits `offsets` for a group that has no running consumer: where it will start reading. */
export async function placeGroup(
  admin: Admin,
  groupId: string,
  offsets: ReadonlyMap<number, string>,
  topic = TOPIC,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.setOffsets({
        groupId,
        topic,
        partitions: [...offsets].map(([partition, offset]) => ({ partition, offset })),
      });
      return;
    } catch (err) {
      // The group's last member may still be leaving (it was just stopped).
      if (attempt >= 30) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
