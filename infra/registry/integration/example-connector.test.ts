// A connector built outside the repository, as a finance-systems team builds one: Paystream's
// packages are published to a local registry (Verdaccio), the example connector in
// examples/erp-jsonl is copied out of the checkout, installs from that registry alone, passes its
// own tests with the published test kit, builds, and is then loaded by a real plugin host process
// from the connector's own folder, where it books real payment events.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
import { createEmbeddedBus } from '@paystream/bus';
import { freePort, orderEvents, runId, waitFor } from '@paystream/plugin-testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type LocalRegistry,
  PUBLIC_PACKAGES,
  type Published,
  publishPackages,
  publishSet,
  SHIPPED_PLUGINS,
  startRegistry,
} from '../src/index.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'paystream-registry-'));
const project = join(work, 'erp-jsonl');
let registry: LocalRegistry;
let published: Published[];

/**
 * This process's environment without the npm and pnpm settings a parent pnpm exports to its
 * scripts (`npm_config_registry` among them, which outranks the project's .npmrc): the connector's
 * project reads only its own configuration, as it would on its team's machine.
 */
function outsideEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_(config|package|lifecycle)_/i.test(k)),
  );
}

/** Runs pnpm in the connector's project, with nothing of the checkout's configuration. */
async function pnpm(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('pnpm', [...args], {
      cwd: project,
      env: { ...outsideEnv(), NPM_CONFIG_USERCONFIG: join(work, 'no-user-npmrc'), NO_COLOR: '1' },
      maxBuffer: 32 * 1024 * 1024,
    });
    return stripVTControlCharacters(stdout);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `pnpm ${args.join(' ')} failed: ${(e.stdout ?? '').slice(-4000)}\n${(e.stderr ?? e.message).slice(-2000)}`,
    );
  }
}

beforeAll(async () => {
  registry = await startRegistry({ dir: join(work, 'registry'), port: await freePort() });
  published = await publishPackages(
    registry,
    root,
    publishSet(root, [...PUBLIC_PACKAGES, ...SHIPPED_PLUGINS]),
  );
  cpSync(join(root, 'examples/erp-jsonl'), project, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|dist|\.data)$/.test(src),
  });
  writeFileSync(join(work, 'no-user-npmrc'), '');
  writeFileSync(join(project, '.npmrc'), `registry=${registry.url}\n`);
}, 10 * 60_000);

afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('publishes the public packages and everything they need, at their versions', () => {
  const names = published.map((p) => p.name);
  expect(names).toEqual(expect.arrayContaining([...PUBLIC_PACKAGES, ...SHIPPED_PLUGINS]));
  for (const p of published) {
    const pkg = publishSet(root, [p.name]).find((q) => q.name === p.name)!;
    const manifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'));
    expect(p.version).toBe(manifest.version);
  }
});

it(
  'installs the connector from the registry alone, outside the workspace, and runs its tests',
  async () => {
    // The committed lockfile pins everything else; the Paystream packages are taken at what was
    // just published, as a connector's team takes a new release.
    await pnpm(['update', '@paystream/*']);
    // Every Paystream package came from the registry as a tarball, none linked from the checkout.
    const sdk = JSON.parse(
      readFileSync(join(project, 'node_modules/@paystream/plugin-sdk/package.json'), 'utf8'),
    );
    expect(sdk.version).toBe(published.find((p) => p.name === '@paystream/plugin-sdk')!.version);
    expect(JSON.stringify(sdk)).not.toContain('workspace:');
    const lock = readFileSync(join(project, 'pnpm-lock.yaml'), 'utf8');
    expect(lock).not.toContain('link:');
    await pnpm(['run', 'typecheck']);
    const out = await pnpm(['test']);
    expect(out).toMatch(/Tests\s+2 passed/);
    await pnpm(['run', 'build']);
    expect(existsSync(join(project, 'dist/index.js'))).toBe(true);
  },
  10 * 60_000,
);

it(
  'is loaded by a plugin host from its own folder and books real payment events',
  async () => {
    const busFile = join(work, 'bus.sqlite');
    const out = join(work, 'erp');
    const config = join(project, 'paystream-plugins.json');
    writeFileSync(
      config,
      JSON.stringify({
        plugins: [
          {
            package: '@paystream/accounting',
            options: { reconcileIntervalMs: 0, dailyReconciliation: false },
          },
          { package: '@acme/erp-jsonl', options: { dir: out } },
        ],
      }),
    );
    const port = await freePort();
    const host = spawn(process.execPath, [join(root, 'services/plugin-host/dist/main.js')], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        PLUGIN_HOST_CONFIG: config,
        PLUGIN_HOST_PORT: String(port),
        EMBEDDED_BUS_FILE: busFile,
        KAFKA_BROKERS: '',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    host.stdout.on('data', (c) => (logs += c));
    host.stderr.on('data', (c) => (logs += c));
    const bus = await createEmbeddedBus({ file: busFile });
    try {
      await waitFor(
        'the plugin host to be ready',
        async () => {
          if (host.exitCode !== null) throw new Error(`the plugin host exited (${host.exitCode}): ${logs}`);
          const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return res?.ok === true;
        },
        { timeoutMs: 60_000 },
      );
      const orders = [`jsonl-${runId()}-a`, `jsonl-${runId()}-b`];
      await bus.publish(
        orders.flatMap((o, i) => orderEvents(o, { amountMinor: 1000 * (i + 1), refundMinor: 300 })),
      );
      const lines = () =>
        existsSync(out)
          ? readdirSync(out).flatMap((f) =>
              readFileSync(join(out, f), 'utf8')
                .split('\n')
                .filter((l) => l !== '')
                .map((l) => JSON.parse(l)),
            )
          : [];
      await waitFor('four journal entries as JSON lines', () => lines().length >= 4);
      const entries = lines();
      expect(entries.map((e) => `${e.outTradeNo} ${e.eventType}`).sort()).toEqual(
        orders.flatMap((o) => [`${o} payment.succeeded`, `${o} refund.succeeded`]).sort(),
      );
      const debits = entries.flatMap((e) => e.lines).filter((l) => l.side === 'debit');
      expect(debits.reduce((s, l) => s + l.amountMinor, 0)).toBe(1000 + 2000 + 300 + 300);
    } finally {
      await bus.close();
      if (host.exitCode === null && host.signalCode === null) {
        const exited = new Promise((r) => host.once('exit', r));
        host.kill('SIGTERM');
        await exited;
      }
    }
  },
  5 * 60_000,
);
