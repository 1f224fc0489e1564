// The samples of docs/calling-paystream.md, run as a reader runs them: each marked block saved
// under the name the page gives it, in a folder whose package.json is "type": "module" with
// @paystream/client as a dependency, started with Node.js 24 against the all-in-one. Each must
// exit 0, print nothing on stderr, and print what the page says it prints.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLING_PAGE, REPO_ROOT, samplesOf } from '../src/index.js';
import { cleanEnv, type RunningAllInOne, startAllInOne } from './allinone.js';

const run = promisify(execFile);
const samples = samplesOf(readFileSync(join(REPO_ROOT, CALLING_PAGE), 'utf8'));
const clientDir = join(REPO_ROOT, 'packages/client');

let platform: RunningAllInOne;
let project: string;

beforeAll(async () => {
  // The page's advice for a quick unknown outcome: `UPSTREAM_TIMEOUT_MS=1000 make start`.
  platform = await startAllInOne({ UPSTREAM_TIMEOUT_MS: '1000' });
  project = mkdtempSync(join(tmpdir(), 'paystream-docs-samples-'));
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify(
      {
        name: 'calling-paystream-samples',
        private: true,
        type: 'module',
        dependencies: { '@paystream/client': `file:${clientDir}` },
      },
      null,
      2,
    )}\n`,
  );
  // What installing a file: dependency that is a folder does: a link to it (its own dependencies
  // resolve from its node_modules, which the workspace installed).
  mkdirSync(join(project, 'node_modules/@paystream'), { recursive: true });
  symlinkSync(clientDir, join(project, 'node_modules/@paystream/client'), 'dir');
  for (const s of samples) writeFileSync(join(project, s.file), s.code);
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Runs a sample as the page says: `node <file>` in the project, the page's variables set. */
async function runSample(file: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [file], {
    cwd: project,
    // The key is left to the sample's default, the development key.
    env: { ...cleanEnv(), PAYSTREAM_URL: platform.gatewayUrl, PAYSTREAM_SANDBOX_URL: platform.sandboxUrl },
    timeout: 120_000,
  }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
    throw new Error(
      `${file} exited with ${err.code}\nstdout:\n${err.stdout}\nstderr:\n${err.stderr}\nall-in-one:\n${platform.output().slice(-4000)}`,
    );
  });
}

describe(`${CALLING_PAGE} samples`, () => {
  it('has the samples the page shows', () => {
    expect(samples.map((s) => s.file)).toEqual(['first-payment.ts', 'unknown-outcome.ts']);
  });

  it.each(samples.map((s) => [s.file, s] as const))(
    '%s runs with Node.js 24 and prints what the page says',
    async (file, sample) => {
      expect(sample.prints.length).toBeGreaterThan(0);
      const { stdout, stderr } = await runSample(file);
      // No warning either: "type": "module" spares the reparse warning, Node.js 24 strips types silently.
      expect(stderr).toBe('');
      const lines = stdout.trim().split('\n');
      for (const text of sample.prints) expect(lines).toContain(text);
    },
    180_000,
  );

  it('first-payment.ts shows a QR code URL before the payment is read back', async () => {
    const { stdout } = await runSample('first-payment.ts');
    expect(stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^show the customer \S+:\/\/\S+$/),
      'status paid',
      'refund done succeeded refunded 2.00',
    ]);
  }, 180_000);
});
