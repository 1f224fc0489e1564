import { describe, expect, it } from 'vitest';
import { atPeak, parseMallocStats, parseSamples, summarizeSmaps } from './footprint-report.js';

// Trimmed from a gateway's /proc/<pid>/smaps: each mapping's header, then its fields.
const SMAPS = `00400000-00401000 r-xp 00000000 08:02 173521                     /opt/node/bin/node
Size:               4096 kB
Rss:                2048 kB
Anonymous:             0 kB
05f4c000-0646d000 rw-p 00000000 00:00 0                                  [heap]
Size:               5252 kB
Rss:                1024 kB
7f0000000000-7f0000040000 rw-p 00000000 00:00 0 
Size:                256 kB
Rss:                 256 kB
7f0000040000-7f0000050000 r--p 00000000 08:02 99 /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                  64 kB
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                  12 kB
`;

const MALLOC_STATS = `{"level":30,"msg":"request"}
Arena 0:
system bytes     =   37552128
in use bytes     =   29474976
Arena 1:
system bytes     =   17203200
in use bytes     =     409840
Total (incl. mmap):
system bytes     =   55656448
in use bytes     =   30785936
max mmap regions =         14
max mmap bytes   =   18395136
`;

describe('footprint report', () => {
  it('sums resident memory by what each mapping maps', () => {
    const mb = (kB: number) => (kB * 1024) / 1e6;
    const s = summarizeSmaps(SMAPS);
    expect(s.nodeBinary).toBeCloseTo(mb(2048));
    expect(s.brkHeap).toBeCloseTo(mb(1024));
    // An unnamed mapping and [stack] are anonymous; the shared library is another file.
    expect(s.anonymous).toBeCloseTo(mb(256 + 12));
    expect(s.otherFiles).toBeCloseTo(mb(64));
    expect(s.total).toBeCloseTo(mb(2048 + 1024 + 256 + 64 + 12));
  });

  it("reads glibc's malloc_stats report from among log lines, the last one when there are several", () => {
    const stats = parseMallocStats(
      `Arena 0:\nsystem bytes     =   1\nin use bytes     =   1\n${MALLOC_STATS}`,
    );
    expect(stats?.arenas).toEqual([
      { system: 37.552128, inUse: 29.474976 },
      { system: 17.2032, inUse: 0.40984 },
    ]);
    expect(stats?.system).toBeCloseTo(55.656448);
    expect(stats?.inUse).toBeCloseTo(30.785936);
    expect(parseMallocStats('{"msg":"no report here"}')).toBeUndefined();
  });

  it('finds the sample of the highest RSS and what of it lies outside V8', () => {
    const line = (rss: number, anon: number, heapTotal: number) =>
      JSON.stringify({
        at: rss,
        rss,
        anon,
        file: rss - anon,
        heapTotal,
        heapUsed: 1,
        external: 0,
        arrayBuffers: 0,
        spaces: {},
      });
    const samples = parseSamples(`${line(120, 60, 50)}\n${line(190, 130, 75)}\n\n${line(180, 120, 74)}\n`);
    expect(samples).toHaveLength(3);
    const peak = atPeak(samples);
    expect(peak?.rss).toBe(190);
    expect(peak?.anonOutsideHeap).toBe(55);
    expect(atPeak([])).toBeUndefined();
  });
});
