import { describe, expect, it } from 'vitest';
import { isWorkingDay, nextWorkingDate } from './holidays.dates.js';

const WEEK = [1, 2, 3, 4, 5];

describe('nextWorkingDate', () => {
  it('skips the weekend after a Friday holiday', () => {
    // 2026-12-25 is a Friday.
    expect(nextWorkingDate('2026-12-25', WEEK, new Set(['2026-12-25']))).toBe('2026-12-28');
  });
  it('counts Saturday when the calendar works on Saturdays', () => {
    expect(nextWorkingDate('2026-12-25', [...WEEK, 6], new Set(['2026-12-25']))).toBe('2026-12-26');
  });
  it('skips holidays that follow each other, across a year end', () => {
    expect(nextWorkingDate('2026-12-31', WEEK, new Set(['2026-12-31', '2027-01-01']))).toBe('2027-01-04');
  });
  it('never counts Sunday', () => {
    expect(isWorkingDay('2026-12-27', [1, 2, 3, 4, 5, 6], new Set())).toBe(false);
  });
});
