// Loaded into a gateway with `node --import` by footprint-run.ts: every 200 ms, one JSON line of
// the process's memory (Node.js's, V8's heap spaces, and the kernel's resident split) appended to
// FOOTPRINT_SAMPLES. Nothing else: the timer is unref'd, so it never keeps the process alive.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.FOOTPRINT_SAMPLES;
const MB = 1e6;

function kB(status: string, field: string): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? (Number(m[1]) * 1024) / MB : 0;
}

if (file) {
  writeFileSync(file, '');
  setInterval(() => {
    const m = process.memoryUsage();
    const status = readFileSync('/proc/self/status', 'utf8');
    const spaces: Record<string, number> = {};
    for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = s.physical_space_size / MB;
    appendFileSync(
      file,
      `${JSON.stringify({
        at: Date.now(),
        rss: m.rss / MB,
        anon: kB(status, 'RssAnon'),
        file: kB(status, 'RssFile'),
        heapTotal: m.heapTotal / MB,
        heapUsed: m.heapUsed / MB,
        external: m.external / MB,
        arrayBuffers: m.arrayBuffers / MB,
        spaces,
      })}\n`,
    );
  }, 200).unref();
}
