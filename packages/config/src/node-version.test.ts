import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSupportedNode, SUPPORTED_NODE_RANGE, unsupportedNodeMessage } from './node-version.js';
import { findUnsupportedNode } from './node-version-testing.js';

const root = join(import.meta.dirname, '..', '..', '..');

describe('node-version', () => {
  it('states the range of the root package.json engines', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(SUPPORTED_NODE_RANGE).toBe(pkg.engines.node);
  });

  it('accepts 24.x only', () => {
    expect(isSupportedNode('24.0.0')).toBe(true);
    expect(isSupportedNode('v24.21.0')).toBe(true);
    expect(isSupportedNode('v20.20.2')).toBe(false);
    expect(isSupportedNode('23.11.0')).toBe(false);
    expect(isSupportedNode('25.0.0')).toBe(false);
    expect(isSupportedNode(process.versions.node)).toBe(true);
  });

  it('names the range, the version found and where it runs from, on one line', () => {
    expect(unsupportedNodeMessage('v20.20.2', '/usr/bin/node')).toBe(
      'paystream needs Node.js >=24.0.0 <25 (package.json "engines"), but this is Node.js v20.20.2 (/usr/bin/node)',
    );
  });

  it('imports nothing: it runs before any dependency is loaded', () => {
    const source = readFileSync(join(import.meta.dirname, 'node-version.ts'), 'utf8').replace(
      /\/\/.*$/gm,
      '',
    );
    expect(source).not.toMatch(/^\s*import\s/m);
    expect(source).not.toMatch(/\bimport\(|\brequire\(/);
  });

  const other = findUnsupportedNode();
  it.skipIf(!other)(
    other
      ? `exits 1 with that line on ${other.version} (${other.path})`
      : 'skipped: no Node.js other than 24 on PATH, /usr/bin or /usr/local/bin',
    () => {
      const module = join(import.meta.dirname, '..', 'dist', 'node-version.js');
      const run = spawnSync(
        other!.path,
        ['--input-type=module', '-e', `(await import(${JSON.stringify(module)})).exitUnlessSupportedNode()`],
        { encoding: 'utf8' },
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`${unsupportedNodeMessage(other!.version, other!.path)}\n`);
    },
  );
});
