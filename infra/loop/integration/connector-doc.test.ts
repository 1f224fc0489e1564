// docs/writing-a-connector.md as a new developer follows it, on a copy of the checkout: its marked
// blocks run as written, in order (the scaffold, the connector and its test on the test kit, the
// build, the PLUGIN_HOST_CONFIG file, the stand-in NetSuite, `make start`, a payment, the status),
// with one liberty: the ports, free ones instead of 8080, 8081 and 9400. The guide is read from the
// working tree (the page being edited); the code it runs against is the copy's.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, waitFor } from '@paystream/plugin-testing';
import { afterAll, expect, it } from 'vitest';
import {
  type AllInOneProcess,
  COPY_WORKTREE,
  copyCheckout,
  type FencedBlock,
  fencedBlocks,
  REPO_ROOT,
  run,
  startAllInOneProcess,
} from '../src/index.js';

const guide = fencedBlocks(readFileSync(join(REPO_ROOT, 'docs/writing-a-connector.md'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'paystream-connector-doc-'));
const env = {
  // The checkout's build outputs, read-only: what did not change replays instead of compiling.
  TURBO_CACHE_DIR: join(REPO_ROOT, '.turbo/cache'),
  TURBO_CACHE: 'local:r',
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};
let standIn: ChildProcess | undefined;
let platform: AllInOneProcess | undefined;
afterAll(async () => {
  await platform?.stop();
  if (standIn?.pid) process.kill(-standIn.pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** The block marked `test=<step>`: exactly one, or the guide and this suite disagree. */
function step(name: string): FencedBlock {
  const found = guide.filter((b) => b.attrs.test === name);
  if (found.length !== 1) throw new Error(`the guide has ${found.length} blocks marked test=${name}`);
  return found[0]!;
}
const sh = (body: string) => run('bash', ['-euo', 'pipefail', '-c', body], { cwd: work, env });

it(
  'runs the guide: scaffold, connector, its test, build, and the connector beside the all-in-one',
  async () => {
    const timings: string[] = [];
    const lap = (() => {
      let t = Date.now();
      return (what: string) => {
        timings.push(`${what} ${Date.now() - t} ms`);
        t = Date.now();
      };
    })();
    copyCheckout(work, { worktree: COPY_WORKTREE });
    await sh(step('scaffold').body);
    lap('scaffold');

    const files = guide.filter((b) => b.attrs.path);
    expect(files.map((b) => b.attrs.path)).toEqual([
      'plugins/erp-netsuite/src/index.ts',
      'plugins/erp-netsuite/integration/netsuite.test.ts',
      'plugins/erp-netsuite/plugin-host.json',
    ]);
    for (const b of files) {
      mkdirSync(dirname(join(work, b.attrs.path!)), { recursive: true });
      writeFileSync(join(work, b.attrs.path!), b.body);
    }
    // Written as the guide prints it: the house format holds for the samples too.
    await run('pnpm', ['exec', 'biome', 'check', 'plugins/erp-netsuite'], { cwd: work, env });

    const built = await sh(step('build').body);
    expect(built.stdout).toMatch(/@paystream\/erp-netsuite:test: .*Tests .*1 passed/);
    expect(built.stdout).toMatch(/Tasks:\s+(\d+) successful, \1 total/);
    lap('build and test');

    const [port, sandboxPort, netsuitePort] = await Promise.all([freePort(), freePort(), freePort()]);
    const ports = (s: string) =>
      s
        .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)
        .replaceAll('127.0.0.1:8081', `127.0.0.1:${sandboxPort}`)
        .replaceAll('9400', String(netsuitePort));
    let calls = '';
    standIn = spawn('bash', ['-c', ports(step('stand-in').body)], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    standIn.stdout!.on('data', (d) => (calls += d));

    // `make start` builds the whole copy first (replayed from the cache), then runs the all-in-one.
    platform = await startAllInOneProcess({
      command: 'bash',
      args: ['-c', ports(step('start').body)],
      cwd: work,
      port,
      sandboxPort,
      env,
      timeoutMs: 8 * 60_000,
    });
    expect(platform.output()).toMatch(/plugins\s+accounting, alerting, erp-csv, erp-netsuite/);
    lap('make start');

    const pay = await sh(ports(step('pay').body));
    expect(pay.stdout).toContain('"outTradeNo":"doc-1"');
    const put = await waitFor('the connector to call the stand-in', () =>
      calls.split('\n').find((l) => l.includes('"memo":"Paystream payment.succeeded doc-1"')),
    );
    expect(put).toMatch(/^PUT \/record\/v1\/journalEntry\/eid:\S+ \{"externalId":/);
    const status = JSON.parse((await sh(ports(step('status').body))).stdout) as {
      plugins: { id: string; state: string; lastError: unknown }[];
    };
    expect(status.plugins.find((p) => p.id === 'erp-netsuite')).toMatchObject({
      state: 'running',
      lastError: null,
    });
    lap('payment booked to the stand-in');
    // SIGTERM reaches make as well as the all-in-one, so make's exit says nothing: not asserted.
    await platform.stop();
    platform = undefined;
    console.info(timings.join(', '));
  },
  15 * 60_000,
);
