import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { defaultMinInsyncReplicas, ensureTopics } from './topics.js';

/** An admin that only records what createTopics was asked. */
function recordingAdmin() {
  const created: unknown[] = [];
  const admin = {
    createTopics: async (req: { topics: unknown[] }) => {
      created.push(...req.topics);
      return true;
    },
  } as unknown as Admin;
  return { admin, created };
}

describe('ensureTopics', () => {
  it('creates a local topic with one replica and min.insync.replicas 1 by default', async () => {
    const { admin, created } = recordingAdmin();
    await ensureTopics(admin, ['t.local']);
    expect(created).toEqual([
      {
        topic: 't.local',
        numPartitions: 6,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: '604800000' },
          { name: 'min.insync.replicas', value: '1' },
        ],
      },
    ]);
  });

  it('creates a cluster topic with three replicas and min.insync.replicas 2', async () => {
    const { admin, created } = recordingAdmin();
    await ensureTopics(admin, ['t.cluster'], { partitions: 12, replicationFactor: 3, retentionMs: 1000 });
    expect(created).toEqual([
      {
        topic: 't.cluster',
        numPartitions: 12,
        replicationFactor: 3,
        configEntries: [
          { name: 'retention.ms', value: '1000' },
          { name: 'min.insync.replicas', value: '2' },
        ],
      },
    ]);
  });

  it('takes an explicit min.insync.replicas', async () => {
    const { admin, created } = recordingAdmin();
    await ensureTopics(admin, ['t.explicit'], { replicationFactor: 5, minInsyncReplicas: 3 });
    expect((created[0] as { configEntries: unknown[] }).configEntries).toContainEqual({
      name: 'min.insync.replicas',
      value: '3',
    });
  });
});

describe('defaultMinInsyncReplicas', () => {
  it('is 1 below three replicas and 2 from three on', () => {
    expect([1, 2, 3, 4, 5].map(defaultMinInsyncReplicas)).toEqual([1, 1, 2, 2, 2]);
  });
});
