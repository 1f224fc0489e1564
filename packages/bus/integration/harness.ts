import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  createEmbeddedBus,
  createKafkaBus,
  deadLetterTopic,
  type EventBus,
  type RawRecord,
} from '../src/index.js';
import { kafkaTestBrokers, uniqueTopic, waitFor } from '../src/testing/index.js';

/** One transport under test, opened fresh per test. */
export interface OpenedBus {
  bus: EventBus;
  topic: string;
  /** Writes records as they are, bypassing validation (malformed input). */
  injectRaw(records: RawRecord[]): Promise<void>;
  /** Waits for `count` dead letters of a group and returns them. */
  deadLetters(group: string, count: number): Promise<RawRecord[]>;
  /** Reopens the same topic/file as a new bus (a process restart). */
  reopen(): Promise<EventBus>;
  cleanup(): Promise<void>;
}

/** How to open a transport. */
export interface Harness {
  name: string;
  open(registry?: Registry): Promise<OpenedBus>;
}

export const embeddedHarness: Harness = {
  name: 'embedded',
  async open(registry) {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-bus-'));
    const file = join(dir, 'bus.sqlite');
    const topic = 'payments.events.v1';
    const opts = { file, topic, pollIntervalMs: 20, ...(registry ? { registry } : {}) };
    const bus = await createEmbeddedBus(opts);
    const opened: EventBus[] = [bus];
    return {
      bus,
      topic,
      injectRaw: (records) => bus.publishRaw(topic, records),
      deadLetters: (group, count) =>
        waitFor(`${count} dead letters`, async () => {
          const rows = await bus.read(deadLetterTopic(topic, group));
          return rows.length >= count ? rows : undefined;
        }),
      reopen: async () => {
        const b = await createEmbeddedBus(opts);
        opened.push(b);
        return b;
      },
      cleanup: async () => {
        for (const b of opened) await b.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Fast-failing consumer settings so group hand-overs take seconds in tests. */
export const fastKafka = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
  maxWaitTimeMs: 100,
  partitions: 3,
};

export const kafkaHarness: Harness = {
  name: 'kafka',
  async open(registry) {
    const brokers = kafkaTestBrokers();
    const topic = uniqueTopic('contract');
    const opts = {
      brokers,
      topic,
      clientId: 'bus-contract',
      ...fastKafka,
      ...(registry ? { registry } : {}),
    };
    const bus = await createKafkaBus(opts);
    const opened: EventBus[] = [bus];
    return {
      bus,
      topic,
      injectRaw: (records) => bus.publishRaw(topic, records),
      deadLetters: (group, count) => readTopic(brokers, deadLetterTopic(topic, group), count),
      reopen: async () => {
        const b = await createKafkaBus(opts);
        opened.push(b);
        return b;
      },
      cleanup: async () => {
        for (const b of opened) await b.close();
        const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        const topics = (await admin.listTopics()).filter((t) => t.startsWith(topic));
        await admin.deleteTopics({ topics }).catch(() => undefined);
        await admin.disconnect();
      },
    };
  },
};

/** Reads `count` records of a topic from the beginning with a throwaway consumer. */
export async function readTopic(brokers: string[], topic: string, count: number): Promise<RawRecord[]> {
  const kafka = new Kafka({ brokers, clientId: 'bus-test-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, sessionTimeout: 6000 });
  const out: RawRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = String(v);
        out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
      },
    });
    await waitFor(`${count} records on ${topic}`, () => out.length >= count);
    return out;
  } finally {
    await consumer.disconnect();
  }
}
