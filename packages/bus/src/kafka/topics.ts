import type { Admin } from 'kafkajs';
import { retrying } from './retrying.js';

/** How topics are created on start-up. */
export interface TopicSettings {
  /** Partitions of new topics. Default 6. */
  partitions?: number;
  /** Replication factor of new topics. Default 1 (one local broker); use 3 in production. */
  replicationFactor?: number;
  /** retention.ms of new topics. Default 7 days. */
  retentionMs?: number;
  /**
   * min.insync.replicas of new topics: how many replicas an `acks=all` write must reach before it
   * counts. Default {@link defaultMinInsyncReplicas} of the replication factor.
   */
  minInsyncReplicas?: number;
}

/**
 * 2 from a replication factor of 3 on, else 1: an acknowledged write then survives the loss of
 * any one broker, and writes go on while one broker is down. A single local broker keeps 1.
 */
export function defaultMinInsyncReplicas(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}

/** The config entries a new topic is created with. */
export function topicConfigEntries(s: TopicSettings): { name: string; value: string }[] {
  const replicationFactor = s.replicationFactor ?? 1;
  return [
    { name: 'retention.ms', value: String(s.retentionMs ?? 7 * 24 * 3600 * 1000) },
    {
      name: 'min.insync.replicas',
      value: String(s.minInsyncReplicas ?? defaultMinInsyncReplicas(replicationFactor)),
    },
  ];
}

const created = new WeakMap<Admin, Set<string>>();

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  s: TopicSettings = {},
): Promise<void> {
  const known = created.get(admin) ?? new Set<string>();
  created.set(admin, known);
  const missing = topics.filter((t) => !known.has(t));
  if (missing.length === 0) return;
  try {
    await retrying(() =>
      admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: s.partitions ?? 6,
          replicationFactor: s.replicationFactor ?? 1,
          configEntries: topicConfigEntries(s),
        })),
      }),
    );
  } catch (err) {
    // kafkajs's wait for leaders retries only LEADER_NOT_AVAILABLE; a KRaft broker can answer
    // UNKNOWN_TOPIC_OR_PARTITION for a topic it created a moment ago. The topic exists: wait for it.
    if ((err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
    await waitForTopics(admin, missing);
  }
  for (const t of missing) known.add(t);
}

/** Polls metadata until every topic has a leader for each partition (bounded: about 10 s). */
async function waitForTopics(admin: Admin, topics: string[], attempts = 50): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (i >= attempts) throw err;
    }
    if (i >= attempts) throw new Error(`topics ${topics.join(', ')} have no leader after ${attempts} tries`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
