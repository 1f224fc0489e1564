// Hong Kong days are UTC+8 calendar days: 23:59 and 00:01 HKT fall on two days, and the schedule
// reconciles the previous day from 00:30 HKT on.
import { expect, it } from 'vitest';
import { dueDay } from './daily-run.js';
import { hkDayBounds, hkDayOf, isHkDay, previousHkDay } from './hk-day.js';

it('gives the Hong Kong day of an instant and the instants of a day', () => {
  expect(hkDayOf('2026-03-05T15:59:00.000Z')).toBe('2026-03-05'); // 23:59 HKT
  expect(hkDayOf('2026-03-05T16:00:00.000Z')).toBe('2026-03-06'); // 00:00 HKT
  expect(hkDayOf('2026-03-05T16:01:00+00:00')).toBe('2026-03-06');
  expect(hkDayOf('2026-03-06T00:01:00+08:00')).toBe('2026-03-06');
  expect(hkDayBounds('2026-03-06')).toEqual({
    from: '2026-03-05T16:00:00.000Z',
    to: '2026-03-06T16:00:00.000Z',
  });
  // No daylight saving: every day is 24 hours, across the new year and a leap day too.
  expect(hkDayBounds('2028-02-29')).toEqual({
    from: '2028-02-28T16:00:00.000Z',
    to: '2028-02-29T16:00:00.000Z',
  });
  expect(previousHkDay('2027-01-01')).toBe('2026-12-31');
  expect(previousHkDay('2028-03-01')).toBe('2028-02-29');
});

it('accepts only real calendar dates written YYYY-MM-DD', () => {
  expect(isHkDay('2026-03-06')).toBe(true);
  expect(isHkDay('2028-02-29')).toBe(true);
  for (const bad of [
    '2026-02-29',
    '2026-13-01',
    '2026-3-6',
    '20260306',
    '2026-03-06T00:00',
    '',
    20260306,
    undefined,
  ])
    expect(isHkDay(bad)).toBe(false);
});

it('is due for the previous Hong Kong day from 00:30 HKT on', () => {
  expect(dueDay(new Date('2026-03-06T16:29:59.999Z'))).toBe('2026-03-05'); // 00:29:59 HKT on the 7th
  expect(dueDay(new Date('2026-03-06T16:30:00.000Z'))).toBe('2026-03-06'); // 00:30 HKT on the 7th
  expect(dueDay(new Date('2026-03-07T15:59:59.000Z'))).toBe('2026-03-06'); // 23:59 HKT on the 7th
});
