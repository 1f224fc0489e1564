// Where and with what a run was measured: absolute figures mean nothing without it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from './context.js';

function git(root: string, ...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function packageVersion(fromDir: string, name: string): string {
  try {
    const require = createRequire(join(fromDir, 'package.json'));
    let dir = require.resolve(name);
    // Walk up from the entry point to the package's own package.json.
    for (;;) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name) return pkg.version ?? 'unknown';
      } catch {
        // keep walking
      }
      if (dir === '' || dir === '/') return 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

/** The version of the broker infra/kafka/kafka.sh runs (`make bench` gives it a KAFKA_HOME_DIR of its own). */
function kafkaVersion(root: string): string {
  try {
    const libs = join(process.env.KAFKA_HOME_DIR ?? join(root, 'infra/kafka/.kafka'), 'libs');
    const jar = readdirSync(libs).find((f) => /^kafka_2\.13-.*\.jar$/.test(f));
    return jar ? jar.replace(/^kafka_2\.13-/, '').replace(/\.jar$/, '') : 'unknown';
  } catch {
    return 'unknown (an external broker)';
  }
}

export async function describeMachine(ctx: BenchContext) {
  const cpu = cpus();
  const pgVersion = await ctx.admin(
    async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
  );
  const gateway = join(ctx.root, 'services/gateway');
  return {
    date: new Date().toISOString(),
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    kernel: release(),
    node: process.version,
    kafka: kafkaVersion(ctx.root),
    kafkaBrokers: ctx.kafkaBrokers,
    postgresql: pgVersion,
    git: { commit: git(ctx.root, 'rev-parse', 'HEAD'), dirty: git(ctx.root, 'status', '--porcelain') !== '' },
    packages: Object.fromEntries(
      [
        ['express', gateway],
        ['kysely', join(ctx.root, 'packages/db')],
        ['better-sqlite3', join(ctx.root, 'packages/db')],
        ['pg', join(ctx.root, 'packages/db')],
        ['undici', join(ctx.root, 'packages/upstream-client')],
        ['kafkajs', join(ctx.root, 'packages/bus')],
        ['zod', gateway],
        ['pino', gateway],
        ['@opentelemetry/sdk-node', join(ctx.root, 'packages/telemetry')],
      ].map(([name, dir]) => [name, packageVersion(dir!, name!)]),
    ),
  };
}
