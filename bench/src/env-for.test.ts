import { expect, it } from 'vitest';
import { envFor } from './env-for.js';

it('applies entries without a label to every process and labelled ones to theirs', () => {
  const entries = ['LOG_LEVEL=warn', 'before:DB_POOL=4', 'after:DB_POOL=8', 'URL=http://x/?a=b'];
  expect(envFor(entries, 'before')).toEqual({ LOG_LEVEL: 'warn', DB_POOL: '4', URL: 'http://x/?a=b' });
  expect(envFor(entries, 'other')).toEqual({ LOG_LEVEL: 'warn', URL: 'http://x/?a=b' });
  expect(() => envFor(['nonsense'], 'x')).toThrow('expected [label:]KEY=VALUE');
});
