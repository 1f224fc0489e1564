import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStartScript } from './index.js';

function packageWithStart(start: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'start-script-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start } }));
  return dir;
}

describe('readStartScript', () => {
  it('takes the variables, then what follows node', () => {
    const dir = packageWithStart('MALLOC_ARENA_MAX=2 A=b=c node --max-old-space-size=512 dist/main.js');
    expect(readStartScript(dir)).toEqual({
      env: { MALLOC_ARENA_MAX: '2', A: 'b=c' },
      args: ['--max-old-space-size=512', 'dist/main.js'],
    });
  });

  it('reads the package under a root', () => {
    const dir = packageWithStart('node dist/main.js');
    expect(readStartScript(dir.split('/').at(-1)!, tmpdir())).toEqual({ env: {}, args: ['dist/main.js'] });
  });

  it('refuses a script that does not run node on a .js file', () => {
    expect(() => readStartScript(packageWithStart('tsx src/main.ts'))).toThrow(/does not run node/);
    expect(() => readStartScript(packageWithStart('node --version'))).toThrow(/on a \.js file/);
  });
});
