// The short run make test includes: each fault kind once, a light workload, quick faults; about two
// and a half minutes on a two-core machine, cluster start and teardown included.
import { join } from 'node:path';
import { REPO_ROOT } from '@paystream/fleet';
import type { ChaosRunOptions } from './run.js';

export function shortRunOptions(overrides: Partial<ChaosRunOptions> = {}): ChaosRunOptions {
  return {
    name: 'chaos-suite',
    // Its own ports (and data folder): never the single broker of make test (9092/9093), nor
    // make chaos's cluster (29292), nor make fleet's (29092).
    kafkaPort: 29392,
    durationMs: 20_000,
    cycles: 1,
    gapMs: 1_000,
    stormMs: 4_000,
    sandboxFaultMs: 3_000,
    leaderDownMs: 3_000,
    callers: 2,
    pauseMs: [150, 400],
    runDir: join(REPO_ROOT, 'infra', 'chaos', '.run', 'suite'),
    ...overrides,
  };
}
