import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommand } from './stack.js';

function packageWithStart(start: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-start-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
  return dir;
}

describe('startCommand', () => {
  it('takes the environment and Node.js flags of a start script, leaving out --import', () => {
    const dir = packageWithStart(
      'MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --import @paystream/telemetry/register --max-old-space-size=512 dist/main.js',
    );
    expect(startCommand(dir)).toEqual({
      env: { MALLOC_ARENA_MAX: '2' },
      flags: ['--max-semi-space-size=8', '--max-old-space-size=512'],
    });
  });

  it('reads a plain `node dist/main.js` as no environment and no flags', () => {
    expect(startCommand(packageWithStart('node dist/main.js'))).toEqual({ env: {}, flags: [] });
  });

  it('refuses a start script that does not run node', () => {
    expect(() => startCommand(packageWithStart('tsx src/main.ts'))).toThrow(/does not run node/);
  });

  it('starts the gateway and the plugin host the way their start scripts do', () => {
    const root = resolve(import.meta.dirname, '../..');
    for (const service of ['services/gateway', 'services/plugin-host']) {
      const { env, flags } = startCommand(join(root, service));
      expect(env.MALLOC_ARENA_MAX).toBe('2');
      expect(flags).toContain('--max-semi-space-size=8');
    }
  });
});
