import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALLING_PAGE, REPO_ROOT, samplesOf } from './index.js';

describe('samplesOf', () => {
  it('takes the code block after each marker, as written', () => {
    const page = [
      'Intro.',
      '',
      '<!-- sample: a.ts (run by a suite) -->',
      '',
      '```ts',
      "console.info('a');",
      '```',
      '',
      'It prints `a` and then `b.c`: twice. Not `d`.',
      '',
      '```ts',
      "console.info('not marked');",
      '```',
    ].join('\n');
    expect(samplesOf(page)).toEqual([
      { file: 'a.ts', lang: 'ts', code: "console.info('a');\n", prints: ['a', 'b.c'] },
    ]);
  });

  it('refuses a marker that no code block follows', () => {
    expect(() => samplesOf('<!-- sample: a.ts -->\n\nText.\n')).toThrow(/1 sample markers but 0/);
  });

  it('has no lines to print when no "It prints" sentence follows', () => {
    expect(samplesOf('<!-- sample: a.ts -->\n```ts\nx;\n```\n\nThen more.\n')[0]?.prints).toEqual([]);
  });

  it('finds the two samples of calling-paystream.md', () => {
    const samples = samplesOf(readFileSync(join(REPO_ROOT, CALLING_PAGE), 'utf8'));
    expect(samples.map((s) => [s.file, s.lang])).toEqual([
      ['first-payment.ts', 'ts'],
      ['unknown-outcome.ts', 'ts'],
    ]);
    for (const s of samples) expect(s.code).toContain("from '@paystream/client'");
    expect(samples[0]!.prints).toEqual(['status paid', 'refund done succeeded refunded 2.00']);
    expect(samples[1]!.prints).toEqual([
      'first unknown 202',
      'then done 201 pending',
      'again 201 replayed true',
    ]);
  });
});
