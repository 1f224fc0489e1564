import { describe, expect, it } from 'vitest';
import { inclusiveShares, ownerOf, summarizeProfile } from './profile.js';

describe('cpu profile summary', () => {
  it('names the owner of a script', () => {
    expect(ownerOf('file:///r/node_modules/.pnpm/kysely@0.29.9/node_modules/kysely/dist/esm/x.js', 'f')).toBe(
      'kysely',
    );
    expect(ownerOf('file:///r/node_modules/.pnpm/@scope+p@1/node_modules/@scope/p/index.js', 'f')).toBe(
      '@scope/p',
    );
    expect(ownerOf('file:///r/services/gateway/dist/server.js', 'f')).toBe('@paystream/gateway');
    expect(ownerOf('node:internal/streams/writable', 'f')).toBe('node');
    expect(ownerOf('', '(garbage collector)')).toBe('(garbage collector)');
  });

  it('adds up self time per function and per owner, leaving idle out', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const s = summarizeProfile({
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('compile', 'file:///r/node_modules/kysely/q.js') },
        { id: 3, callFrame: frame('write', 'node:net') },
      ],
      samples: [1, 2, 2, 3, 1],
      timeDeltas: [500, 300, 300, 400, 500],
    });
    expect(s.busyMs).toBe(1);
    expect(s.byOwner).toEqual([
      { name: 'kysely', percent: 60 },
      { name: 'node', percent: 40 },
    ]);
    expect(s.topFunctions[0]).toEqual({ name: 'compile kysely/q.js:1', percent: 60 });
  });

  it('counts a sample once for each pattern a frame of its stack matches', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });
    const shares = inclusiveShares(
      {
        nodes: [
          { id: 1, callFrame: frame('handle', 'file:///r/services/gateway/dist/a.js'), children: [2, 3] },
          { id: 2, callFrame: frame('handle', 'file:///r/services/gateway/dist/a.js'), children: [4] },
          { id: 3, callFrame: frame('write', 'node:net') },
          { id: 4, callFrame: frame('compile', 'file:///r/node_modules/kysely/q.js') },
          { id: 5, callFrame: frame('(idle)', '') },
        ],
        samples: [4, 3, 5, 1],
        timeDeltas: [300, 100, 1000, 100],
      },
      ['kysely', '^handle ', 'nowhere'],
    );
    expect(shares).toEqual([
      { name: 'kysely', percent: 60 },
      { name: '^handle ', percent: 100 },
      { name: 'nowhere', percent: 0 },
    ]);
  });
});
