import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagePluginEntry } from '@paystream/fleet';
import { describe, expect, it } from 'vitest';
import { pruneBundle } from './build.js';
import { baseContainerfile, serviceContainerfile } from './containerfile.js';
import { defaultPluginHostConfig, IMAGE_PLUGINS, imageSpecs, NODE_PATH, startCommand } from './images.js';
import { CONTAINERFILES_DIR } from './paths.js';

describe('the committed Containerfiles', () => {
  it('are the ones src/images.ts renders (pnpm --filter @paystream/images generate)', () => {
    const read = (name: string) => readFileSync(join(CONTAINERFILES_DIR, name, 'Containerfile'), 'utf8');
    expect(read('base')).toBe(baseContainerfile());
    for (const spec of imageSpecs()) expect(read(spec.name), spec.name).toBe(serviceContainerfile(spec));
  });

  it('take the base as a build argument and run as a non-root user', () => {
    for (const spec of imageSpecs()) {
      const text = serviceContainerfile(spec);
      expect(text).toMatch(/^ARG BASE=.*\nFROM \$\{BASE\}$/m);
      expect(text).toMatch(/^USER 1000:1000$/m);
    }
  });
});

describe('the images', () => {
  it('start each service as its start script does, with the node of the base', () => {
    const gateway = imageSpecs().find((s) => s.name === 'gateway')!;
    expect(gateway.entrypoint).toEqual([
      NODE_PATH,
      '--max-semi-space-size=8',
      '--max-old-space-size=512',
      '--import',
      '@paystream/telemetry/register',
      'dist/main.js',
    ]);
    expect(gateway.env.MALLOC_ARENA_MAX).toBe('2');
    expect(startCommand('services/plugin-host', 'node_modules/x.js').command.at(-1)).toBe(
      'node_modules/x.js',
    );
  });

  it("list the shipped plugins by package in the plugin host's default config, and the fleet finds them by path", () => {
    const listed = (JSON.parse(defaultPluginHostConfig()) as { plugins: { package: string }[] }).plugins;
    expect(listed.map((p) => p.package)).toEqual([
      '@paystream/accounting',
      '@paystream/alerting',
      '@paystream/erp-csv',
    ]);
    for (const name of IMAGE_PLUGINS)
      expect(imagePluginEntry(name)).toBe(`/app/node_modules/@paystream/${name}/dist/index.js`);
  });

  it('leave out of a bundle what does not run: declarations, maps, docs, C sources, other platforms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-prune-'));
    const sqlite = join(dir, 'node_modules/.pnpm/better-sqlite3@13.2.0/node_modules/better-sqlite3');
    const files = [
      'dist/main.js',
      'dist/main.d.ts',
      'dist/main.js.map',
      'README.md',
      'node_modules/.bin/tsc',
      `${sqlite.slice(dir.length + 1)}/lib/index.js`,
      `${sqlite.slice(dir.length + 1)}/deps/sqlite3.c`,
      `${sqlite.slice(dir.length + 1)}/prebuilds/linux-x64.node`,
      `${sqlite.slice(dir.length + 1)}/prebuilds/darwin-arm64.node`,
    ];
    for (const f of files) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), 'x');
    }
    pruneBundle(dir);
    expect(files.filter((f) => existsSync(join(dir, f)))).toEqual([
      'dist/main.js',
      `${sqlite.slice(dir.length + 1)}/lib/index.js`,
      `${sqlite.slice(dir.length + 1)}/prebuilds/linux-x64.node`,
    ]);
  });
});
