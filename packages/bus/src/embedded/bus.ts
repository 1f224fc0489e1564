import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import {
  DeliveryAborted,
  deadLetterTopic,
  deadLetterView,
  deliverBatch,
  redriveGroup,
  resolveSubscribeOptions,
} from '../consume.js';
import { errorMessage, sleep } from '../log.js';
import { publishEvents, redriveTally, transportBase } from '../transport.js';
import type { CommonBusOptions, EventBus, RawRecord, Subscription } from '../types.js';
import { EmbeddedLog, type StoredRecord } from './log.js';

/** Options of {@link createEmbeddedBus}. */
export interface EmbeddedBusOptions extends CommonBusOptions {
  /** The SQLite file. Default `.data/paystream-bus.sqlite` under the working directory. */
  file?: string;
  /** How often an idle subscription looks for records appended by other processes. Default 100 ms. */
  pollIntervalMs?: number;
  /** Records per batch. Default 200. */
  batchSize?: number;
  /**
   * How long a group stays owned by a process that stopped renewing (crashed) before another
   * process may take it over. Default 10 s; the owner renews every third of it.
   */
  groupLeaseMs?: number;
}

/** Thrown when another process already consumes the group from the same file. */
export class GroupAlreadyConsumedError extends Error {
  override readonly name = 'GroupAlreadyConsumedError';
}

/** The embedded transport plus what tests and tools need beyond the contract. */
export interface EmbeddedEventBus extends EventBus {
  readonly topic: string;
  readonly file: string;
  /** Appends records as they are (no validation): for re-driving dead letters and fault tests. */
  publishRaw(topic: string, records: readonly RawRecord[]): Promise<void>;
  /** Reads a topic from the start (e.g. a group's dead letters at `<topic>.dlq.<group>`). */
  read(topic: string, afterSeq?: number, limit?: number): Promise<StoredRecord[]>;
}

/** Opens (creating when absent) the SQLite-backed bus: same contract as Kafka, one machine. */
export async function createEmbeddedBus(opts: EmbeddedBusOptions = {}): Promise<EmbeddedEventBus> {
  const base = transportBase(opts);
  const { topic, logger } = base;
  const file = resolve(opts.file ?? '.data/paystream-bus.sqlite');
  const pollIntervalMs = opts.pollIntervalMs ?? 100;
  const batchSize = opts.batchSize ?? 200;
  const leaseMs = opts.groupLeaseMs ?? 10_000;
  // Who this bus is, as other processes see it in the lease table.
  const owner = `pid ${process.pid} on ${hostname()} (${randomBytes(3).toString('hex')})`;
  const log = new EmbeddedLog(file);
  const subscriptions = new Map<string, Subscription>();
  const wakers = new Set<() => void>();
  let closed = false;

  const wakeAll = () => {
    for (const w of wakers) w();
  };

  const bus: EmbeddedEventBus = {
    topic,
    file,

    async publish(events) {
      if (closed) throw new Error('bus is closed');
      await publishEvents(base, 'sqlite', events, (records) => log.append(topic, records));
      if (events.length > 0) wakeAll();
    },

    publishRaw: async (to, records) => {
      log.append(to, records);
      wakeAll();
    },

    read: async (t, afterSeq = 0, limit = 10_000) => log.read(t, afterSeq, limit),

    async lag(group) {
      return log.count(topic, log.offset(group, topic) ?? log.head(topic));
    },

    async deadLetterCount(group) {
      const dlq = deadLetterTopic(topic, group);
      return log.count(dlq, log.offset(redriveGroup(group), dlq) ?? 0);
    },

    async deadLetters(group, o = {}) {
      const dlq = deadLetterTopic(topic, group);
      const from = log.offset(redriveGroup(group), dlq) ?? 0;
      return log.read(dlq, from, o.limit ?? 1000).map((r) => deadLetterView(r, String(r.seq)));
    },

    async redrive(group, handler, subscribeOpts) {
      const o = resolveSubscribeOptions(subscribeOpts);
      const dlq = deadLetterTopic(topic, group);
      // Only what is there now: records that fail again are appended after `end`.
      const end = log.head(dlq);
      const signal = new AbortController().signal;
      const deadLetter = async (rec: RawRecord) => log.append(dlq, [rec]);
      return redriveTally({ ...base, group, handler, opts: o, signal, deadLetter }, async (redrive) => {
        for (;;) {
          const from = log.offset(redriveGroup(group), dlq) ?? 0;
          const batch = log.read(dlq, from, batchSize).filter((r) => r.seq <= end);
          if (batch.length === 0) break;
          for (const r of batch) {
            await redrive({ raw: r, partition: 0, offset: String(r.seq) });
            log.commit(redriveGroup(group), dlq, r.seq);
          }
        }
      });
    },

    async resetOffsets(group) {
      const holder = log.holder(group);
      if (holder !== undefined)
        throw new GroupAlreadyConsumedError(`group ${group} is being consumed by ${holder}; stop it first`);
      log.reset(group, topic, 0);
    },

    async subscribe(group, handler, subscribeOpts) {
      if (closed) throw new Error('bus is closed');
      // One reader per group keeps per-key order without partition assignment; a second process
      // with the same group would read the same records, so plugins run once per file.
      if (subscriptions.has(group)) throw new Error(`group ${group} is already subscribed on this bus`);
      const o = resolveSubscribeOptions(subscribeOpts);
      // Kafka would share the group's partitions between processes; one SQLite reader per group
      // cannot, so a second process is refused instead of silently reading every event again.
      const holder = log.lease(group, owner, leaseMs);
      if (holder !== undefined)
        throw new GroupAlreadyConsumedError(
          `group ${group} is already consumed from ${file} by ${holder}; the embedded bus runs one ` +
            'process per group: stop that process, or use Kafka (KAFKA_BROKERS) to share a group',
        );
      let renewedAt = Date.now();
      const dlq = deadLetterTopic(topic, group);
      if (log.offset(group, topic) === undefined)
        log.commit(group, topic, o.fromBeginning ? 0 : log.head(topic));
      const abort = new AbortController();
      let wake: () => void = () => {};
      const waker = () => wake();
      wakers.add(waker);

      const loop = async () => {
        while (!abort.signal.aborted) {
          if (Date.now() - renewedAt > leaseMs / 3) {
            log.lease(group, owner, leaseMs);
            renewedAt = Date.now();
          }
          const position = log.offset(group, topic) ?? 0;
          const batch = log.read(topic, position, batchSize);
          if (batch.length === 0) {
            await new Promise<void>((res) => {
              const timer = setTimeout(res, pollIntervalMs);
              wake = () => {
                clearTimeout(timer);
                res();
              };
            });
            continue;
          }
          const outcome = await deliverBatch(
            batch.map((r) => ({ raw: r, partition: 0, offset: String(r.seq) })),
            {
              ...base,
              group,
              handler,
              opts: o,
              signal: abort.signal,
              deadLetter: async (r) => log.append(dlq, [r]),
            },
          );
          if (outcome.done > 0) log.commit(group, topic, batch[outcome.done - 1]!.seq);
          if (outcome.error !== undefined && !(outcome.error instanceof DeliveryAborted)) {
            logger.error(
              { group, error: errorMessage(outcome.error) },
              'embedded delivery failed; retrying batch',
            );
            await sleep(Math.max(pollIntervalMs, 500));
          }
        }
      };
      const running = loop();

      const sub: Subscription = {
        close: async () => {
          if (subscriptions.get(group) !== sub) return;
          abort.abort();
          wake();
          await running;
          wakers.delete(waker);
          subscriptions.delete(group);
          log.release(group, owner);
        },
      };
      subscriptions.set(group, sub);
      return sub;
    },

    async health() {
      if (closed) return { ok: false, detail: 'closed' };
      try {
        log.ping();
        // Only the file's name: /readyz is unauthenticated, and a path tells an outsider about the host.
        return { ok: true, detail: `embedded: ${basename(file)}` };
      } catch (err) {
        return { ok: false, detail: `embedded log unreadable: ${errorMessage(err)}` };
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions.values()].map((s) => s.close()));
      log.close();
    },
  };
  return bus;
}
