// What footprint-run.ts reads back: the sampler's lines, /proc/<pid>/smaps, glibc's malloc_stats().
// Pure functions, so the parsing is tested without a process to measure.

/** One line of footprint-sampler.ts, MB (10^6 bytes). */
export interface MemorySample {
  at: number;
  rss: number;
  anon: number;
  file: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Resident size of each V8 heap space. */
  spaces: Record<string, number>;
}

export function parseSamples(text: string): MemorySample[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MemorySample);
}

/** The sample of the highest RSS, with what of it is outside V8's heap. */
export function atPeak(
  samples: readonly MemorySample[],
): (MemorySample & { anonOutsideHeap: number }) | undefined {
  let top: MemorySample | undefined;
  for (const s of samples) if (!top || s.rss > top.rss) top = s;
  return top && { ...top, anonOutsideHeap: top.anon - top.heapTotal };
}

/** Resident MB of a process's mappings, by what they map. */
export interface SmapsSummary {
  /** The `node` executable's pages (file-backed, shared with every node process). */
  nodeBinary: number;
  /** Other files: shared libraries, native add-ons, mapped databases. */
  otherFiles: number;
  /** `[heap]`: glibc's main malloc arena (the brk heap). */
  brkHeap: number;
  /** Anonymous mappings: V8's heap pages, other malloc arenas, large mallocs, thread stacks. */
  anonymous: number;
  total: number;
}

export function summarizeSmaps(smaps: string): SmapsSummary {
  const sum: SmapsSummary = { nodeBinary: 0, otherFiles: 0, brkHeap: 0, anonymous: 0, total: 0 };
  let kind: keyof SmapsSummary = 'anonymous';
  for (const line of smaps.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      kind =
        name === '[heap]'
          ? 'brkHeap'
          : name === '' || name.startsWith('[')
            ? 'anonymous'
            : /\/node$/.test(name)
              ? 'nodeBinary'
              : 'otherFiles';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      const mb = (Number(rss[1]) * 1024) / 1e6;
      sum[kind] += mb;
      sum.total += mb;
    }
  }
  return sum;
}

/** glibc's `malloc_stats()` (printed on the process's stderr): per arena, bytes from the system and in use. */
export interface MallocStats {
  arenas: { system: number; inUse: number }[];
  /** All arenas and mmapped chunks, MB. */
  system: number;
  inUse: number;
}

/** The last `malloc_stats()` report in `text`, or undefined when there is none. */
export function parseMallocStats(text: string): MallocStats | undefined {
  const start = text.lastIndexOf('Arena 0:');
  if (start < 0) return undefined;
  const block = text.slice(start);
  const arenas: MallocStats['arenas'] = [];
  const arenaRe = /Arena \d+:\s*\nsystem bytes\s+=\s+(\d+)\s*\nin use bytes\s+=\s+(\d+)/g;
  for (const m of block.matchAll(arenaRe))
    arenas.push({ system: Number(m[1]) / 1e6, inUse: Number(m[2]) / 1e6 });
  const total = /Total \(incl\. mmap\):\s*\nsystem bytes\s+=\s+(\d+)\s*\nin use bytes\s+=\s+(\d+)/.exec(
    block,
  );
  if (!total) return undefined;
  return { arenas, system: Number(total[1]) / 1e6, inUse: Number(total[2]) / 1e6 };
}
