// The rules and configs as promtool sees them: syntax, and the unit tests of every alert.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const run = (tool: string, args: string[]) => spawnSync(tool, args, { cwd: here('.'), encoding: 'utf8' });

describe('promtool', () => {
  it('checks the rules', () => {
    const r = run('promtool', ['check', 'rules', 'rules/paystream.rules.yml']);
    expect(r.stderr + r.stdout).toContain('SUCCESS: 12 rules found');
    expect(r.status).toBe(0);
  });

  it('passes the rules unit tests', () => {
    const r = run('promtool', ['test', 'rules', 'tests/paystream.test.yml']);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('fails a unit test whose alert does not fire (the runner is not vacuous)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-rules-'));
    try {
      const broken = readFileSync(here('tests/paystream.test.yml'), 'utf8')
        .replace('../rules/paystream.rules.yml', here('rules/paystream.rules.yml'))
        .replace('values: "0 0 0 3 3 3 3 3 3 3 3 3"', 'values: "0x11"');
      writeFileSync(join(dir, 'broken.test.yml'), broken);
      const r = spawnSync('promtool', ['test', 'rules', 'broken.test.yml'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('alertname: PaystreamUpstreamCode64');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the compose Prometheus config', () => {
    const prom = run('promtool', ['check', 'config', '--syntax-only', 'prometheus.yml']);
    expect(prom.status, prom.stdout + prom.stderr).toBe(0);
  });
});
