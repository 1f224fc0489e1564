import { describe, expect, it } from 'vitest';
import { END, type RunReport, START, verdictTable, withTable } from './report.js';

const report: RunReport = {
  machine: {
    date: '2026-11-26T00:00:00.000Z',
    cpus: 2,
    cpuModel: 'Test CPU',
    node: 'v24.0.0',
    kafka: '4.4.0',
    postgresql: '15',
    git: { commit: 'abcdef0123456789', dirty: false },
  },
  settings: { rounds: 3 },
  command: 'make bench',
  commands: [],
  durationSeconds: 600,
  targets: [
    { id: 1, comparison: 'a | b', target: '≥ 0.45×', measured: '0.5×', verdict: 'met', figures: {} },
    {
      id: 6,
      comparison: 'c',
      target: '≥ 0.25×',
      measured: '0.1×',
      verdict: 'not met',
      figures: {},
      note: 'why',
    },
  ],
};

describe('verdict table', () => {
  it('has a row per target with its verdict, escaping pipes', () => {
    const t = verdictTable(report);
    expect(t).toContain('| 1 | a \\| b | ≥ 0.45× | 0.5× | **met** |');
    expect(t).toContain('| 6 | c | ≥ 0.25× | 0.1× — why | **not met** |');
    expect(t).toContain('commit `abcdef012345`');
  });

  it('replaces only the block between the markers, and appends one when there is none', () => {
    const doc = `# B\n\nbefore\n\n${START}\nold\n${END}\n\nafter\n`;
    const next = withTable(doc, `${START}\nnew\n${END}`);
    expect(next).toBe(`# B\n\nbefore\n\n${START}\nnew\n${END}\n\nafter\n`);
    expect(withTable('# B\n', `${START}\nx\n${END}`)).toBe(`# B\n\n${START}\nx\n${END}\n`);
  });
});
