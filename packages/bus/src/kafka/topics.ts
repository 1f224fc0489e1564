import type { Admin } from 'kafkajs';

/** How topics are created on start-up. */
export interface TopicSettings {
  /** Partitions of new topics. Default 6. */
  partitions?: number;
  /** Replication factor of new topics. Default 1 (one local broker); use 3 in production. */
  replicationFactor?: number;
  /** retention.ms of new topics. Default 7 days. */
  retentionMs?: number;
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
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: s.partitions ?? 6,
      replicationFactor: s.replicationFactor ?? 1,
      configEntries: [{ name: 'retention.ms', value: String(s.retentionMs ?? 7 * 24 * 3600 * 1000) }],
    })),
  });
  for (const t of missing) known.add(t);
}
