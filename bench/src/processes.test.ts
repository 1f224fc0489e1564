import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, peakRssMBOf, shownEnv } from './processes.js';

describe('process figures', () => {
  it('reads CPU seconds and peak RSS of a live process from /proc', () => {
    const before = cpuSecondsOf(process.pid);
    const until = Date.now() + 200;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(before);
    const rss = peakRssMBOf(process.pid);
    expect(rss).toBeGreaterThanOrEqual(Math.floor(process.memoryUsage().rss / 1e6) - 1);
  });

  it('never shows secret values in a recorded command', () => {
    const shown = shownEnv({ PORT: '8080', UPSTREAM_PRIVATE_KEY: 'hunter2', PAYSTREAM_API_KEYS: '[..]' });
    expect(shown).toBe('PORT="8080" UPSTREAM_PRIVATE_KEY=<redacted> PAYSTREAM_API_KEYS=<redacted>');
    expect(shown).not.toContain('hunter2');
  });
});
