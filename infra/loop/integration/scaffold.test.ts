// The scaffold as a new developer runs it, in a fresh shell without the project's tools on PATH:
// on a copy of the checkout, scripts/new-package.sh plugins/acme-probe installs with the project's
// pnpm, so the lockfile it leaves passes a frozen, offline install (what `make build` runs), and
// the new plugin builds and passes its generated tests with nothing done by hand.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { COPY_WORKTREE, copyCheckout, REPO_ROOT, run } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'paystream-scaffold-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The PATH of a shell that never sourced scripts/env.sh: none of .tools' Node.js or pnpm. */
const bareEnv = {
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.includes(`${REPO_ROOT}/.tools`) && !/node_modules[/\\]\.bin$/.test(p))
    .join(delimiter),
};
/** The checkout's own build outputs, read-only: dependencies come from the cache, nothing is added. */
const cacheEnv = { TURBO_CACHE_DIR: join(REPO_ROOT, '.turbo/cache'), TURBO_CACHE: 'local:r' };

it(
  'scaffolds a plugin whose lockfile, build and tests pass without a manual step',
  async () => {
    const t0 = Date.now();
    copyCheckout(work, { worktree: COPY_WORKTREE });
    const scaffold = await run('scripts/new-package.sh', ['plugins/acme-probe', 'Probes the loop'], {
      cwd: work,
      env: bareEnv,
    });
    expect(scaffold.stderr).not.toMatch(/run pnpm install/);
    expect(scaffold.stdout).toContain('created @paystream/acme-probe in plugins/acme-probe');
    expect(readFileSync(join(work, 'pnpm-lock.yaml'), 'utf8')).toContain('plugins/acme-probe:');

    // `make build`'s install: refuses a lockfile that does not match the manifests.
    await run('pnpm', ['install', '--frozen-lockfile', '--offline'], { cwd: work, env: cacheEnv });
    const built = await run(
      'pnpm',
      [
        'exec',
        'turbo',
        'run',
        'build',
        'test',
        '--filter',
        '@paystream/acme-probe',
        '--output-logs=new-only',
      ],
      { cwd: work, env: { ...cacheEnv, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } },
    );
    expect(built.stdout).toMatch(/Tasks:\s+(\d+) successful, \1 total/);
    // The generated unit test and startTestHost test, both run.
    expect(built.stdout).toMatch(/@paystream\/acme-probe:test: .*Tests .*2 passed/);
    expect(existsSync(join(work, 'plugins/acme-probe/dist/index.js'))).toBe(true);
    console.info(`scaffold ${scaffold.ms} ms, build and test ${built.ms} ms, all ${Date.now() - t0} ms`);
  },
  10 * 60_000,
);
