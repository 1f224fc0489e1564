// A run-time setting must never rebuild anything: turbo.json passes DATABASE_URL and KAFKA_BROKERS
// through to tasks without hashing them, so every build task's hash is the same whatever database
// or brokers the shell points at. CI (hashed on purpose) is the control: changing it must change
// the hashes, or the comparison would prove nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { COPY_WORKTREE, copyCheckout, REPO_ROOT, run } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'paystream-turbo-hash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RUNTIME = ['DATABASE_URL', 'KAFKA_BROKERS'] as const;

/** Every build task's hash from a dry run under the given settings (undefined: unset). */
async function buildHashes(env: Record<string, string | undefined>): Promise<Map<string, string>> {
  const { stdout } = await run(
    join(REPO_ROOT, 'node_modules/.bin/turbo'),
    ['run', 'build', '--dry=json', '--skip-infer'],
    // A copy of HEAD, so another engineer saving a file between two runs cannot move a hash.
    { cwd: work, env: { TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', CI: '', ...env } },
  );
  const dry = JSON.parse(stdout) as { tasks: { taskId: string; hash: string }[] };
  return new Map(dry.tasks.map((t) => [t.taskId, t.hash]));
}

it('hashes no build task on DATABASE_URL or KAFKA_BROKERS', async () => {
  const t0 = Date.now();
  copyCheckout(work, { worktree: COPY_WORKTREE });
  const unset = Object.fromEntries(RUNTIME.map((k) => [k, undefined]));
  const base = await buildHashes(unset);
  expect(base.size).toBeGreaterThan(10);
  expect([...base.keys()]).toContain('@paystream/allinone#build');

  for (const env of [
    { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/paystream', KAFKA_BROKERS: '127.0.0.1:9092' },
    { DATABASE_URL: 'sqlite:/tmp/other.sqlite', KAFKA_BROKERS: '10.0.0.1:19092,10.0.0.2:19092' },
    { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/paystream' },
    { KAFKA_BROKERS: '127.0.0.1:9092' },
  ]) {
    expect(Object.fromEntries(await buildHashes({ ...unset, ...env })), JSON.stringify(env)).toEqual(
      Object.fromEntries(base),
    );
  }

  // The control: a hashed variable moves every hash, so equal hashes above mean something.
  const ci = await buildHashes({ ...unset, CI: '1' });
  for (const [task, hash] of base) expect(ci.get(task), task).not.toBe(hash);
  console.info(`${base.size} build tasks, 6 dry runs in ${Date.now() - t0} ms`);
}, 120_000);
