import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A child process, so the logger writes to a real stdout pipe as a service's does.
const run = (script: string) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: import.meta.dirname,
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('createProcessLogger', () => {
  it('writes JSON lines to stdout and flushes what is buffered when the process exits', () => {
    const r = run(`
      const { createProcessLogger } = await import('../dist/logging.js');
      const log = createProcessLogger({ name: 'svc', pretty: false });
      for (let i = 0; i < 3; i++) log.info({ i }, 'request');
      process.exit(0);
    `);
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.name, l.msg, l.i])).toEqual([
      ['svc', 'request', 0],
      ['svc', 'request', 1],
      ['svc', 'request', 2],
    ]);
  });

  it('writes a quiet process’s line within the flush interval, not only when the buffer fills', () => {
    const r = run(`
      const { createProcessLogger } = await import('../dist/logging.js');
      const { readFileSync } = await import('node:fs');
      const log = createProcessLogger({ name: 'svc', pretty: false });
      log.info('one line');
      // Still running: the line must be out after the flush interval, without exit's flush.
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1600);
      setInterval(() => {}, 1000);
    `);
    expect(r.stdout).toContain('"msg":"one line"');
  });

  it('censors secrets at the top level and nested, as every Paystream logger does', () => {
    const r = run(`
      const { createProcessLogger } = await import('../dist/logging.js');
      const log = createProcessLogger({ name: 'svc', pretty: false });
      log.info({ privateKey: 'pk-1', upstream: { User_Confirm_Key: 'uck-1', nested: { private_key: 'pk-2' } } }, 'config');
      log.error({ err: { authorization: 'Bearer psk_live_x' } }, 'failed');
      process.exit(0);
    `);
    expect(r.status).toBe(0);
    for (const secret of ['pk-1', 'uck-1', 'pk-2', 'psk_live_x']) expect(r.stdout).not.toContain(secret);
    const [config, failed] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(config).toMatchObject({
      privateKey: '[redacted]',
      upstream: { User_Confirm_Key: '[redacted]', nested: { private_key: '[redacted]' } },
    });
    expect(failed.err.authorization).toBe('[redacted]');
  });
});
