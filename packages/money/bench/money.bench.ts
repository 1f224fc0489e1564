// Exact decimal parsing and formatting against the float one-liners they replace. Each `describe`
// is one comparison measured in this run: the first bench is what ships, the second its naive
// baseline; vitest prints the ratio ("x times faster than"). The baselines are here for speed
// only: they get some amounts wrong, which src/money.test.ts already proves.
// Run with `pnpm --filter @paystream/money bench` or `make bench`; figures: docs/benchmarks.md.
import { afterAll, bench, describe } from 'vitest';
import { formatAmount, type MinorUnits, parseAmount } from '../src/index.js';

/** Typical wire amounts: whole, one and two decimals, the contract's extremes (0.02, 60000). */
const TEXTS = [
  '0.02',
  '1',
  '9.9',
  '12.34',
  '88.00',
  '100',
  '199.99',
  '1234.5',
  '4999.95',
  '60000.00',
] as const;
/** Operations per measured iteration: every amount, ten times over. */
const ROUNDS = 10;
const PER_ITERATION = TEXTS.length * ROUNDS;
const MINORS: readonly MinorUnits[] = TEXTS.map((t) => parseAmount(t, 'HKD'));
/** Every result lands here (module scope), so the engine cannot drop the work. */
let sink = 0;

describe(`parse a decimal string to minor units (${PER_ITERATION} per iteration)`, () => {
  bench('parseAmount (exact, string arithmetic)', () => {
    for (let r = 0; r < ROUNDS; r++) for (const t of TEXTS) sink += parseAmount(t, 'HKD');
  });
  bench('baseline: Math.round(parseFloat(x) * 100)', () => {
    for (let r = 0; r < ROUNDS; r++) for (const t of TEXTS) sink += Math.round(Number.parseFloat(t) * 100);
  });
});

describe(`format minor units as a decimal string (${PER_ITERATION} per iteration)`, () => {
  bench('formatAmount (checked integer, string slicing)', () => {
    for (let r = 0; r < ROUNDS; r++) for (const m of MINORS) sink += formatAmount(m, 'HKD').length;
  });
  bench('baseline: (x / 100).toFixed(2)', () => {
    for (let r = 0; r < ROUNDS; r++) for (const m of MINORS) sink += (m / 100).toFixed(2).length;
  });
});

afterAll(() => {
  // Reading the sink keeps every result observable; zero would mean the benches did no work.
  if (sink === 0) throw new Error('the benches produced no results');
});
