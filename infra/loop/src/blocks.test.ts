import { expect, it } from 'vitest';
import { commandsOf, fencedBlocks } from './index.js';

it('reads each fenced block with its language, attributes and line', () => {
  const md = [
    '# Title',
    '',
    '```ts path=src/index.ts',
    'export const a = 1;',
    '```',
    'text',
    '````sh run',
    '```',
    'echo nested',
    '````',
    '~~~json',
    '{}',
    '~~~',
  ].join('\n');
  expect(fencedBlocks(md)).toEqual([
    { lang: 'ts', attrs: { path: 'src/index.ts' }, body: 'export const a = 1;\n', line: 3 },
    { lang: 'sh', attrs: { run: '' }, body: '```\necho nested\n', line: 7 },
    { lang: 'json', attrs: {}, body: '{}\n', line: 11 },
  ]);
});

it('refuses a block that is never closed', () => {
  expect(() => fencedBlocks('```ts\nconst a = 1;\n')).toThrow(/line 1 is never closed/);
});

it('joins continued lines and drops comments', () => {
  const [block] = fencedBlocks('```sh\n# set up\nmake \\\n  start\n\npnpm test\n```\n');
  expect(commandsOf(block!)).toEqual(['make start', 'pnpm test']);
});
