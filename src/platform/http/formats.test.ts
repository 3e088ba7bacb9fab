import { describe, expect, it } from 'vitest';
import { isCalendarDate, isDateTimeInRange } from './formats.js';

describe('date and date-time: four-digit years, 0001 to 9999', () => {
  it.each([
    ['2026-12-25', true],
    ['0001-01-01', true],
    ['9999-12-31', true],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['0000-01-01', false],
    ['10000-01-01', false],
    ['+010000-01-01', false],
    ['-0001-01-01', false],
    ['2026-1-1', false],
  ])('date %s → %s', (v, ok) => expect(isCalendarDate(v)).toBe(ok));

  it.each([
    ['2026-11-23T12:00:00Z', true],
    ['2026-11-23T12:00:00.123-03:00', true],
    ['2026-11-23t12:00:00z', true],
    ['0001-01-01T00:00:00Z', true],
    ['0001-01-01T00:30:00+01:00', false], // 0000-12-31T23:30Z
    ['0001-01-01T00:30:00-01:00', true],
    ['9999-12-31T23:59:59Z', true],
    ['9999-12-31T23:59:59.999Z', true],
    ['9999-12-31T23:00:00-03:00', false], // 10000-01-01T02:00Z
    ['9999-12-31T20:59:59-03', true],
    ['0000-06-01T00:00:00Z', false],
    ['2026-11-23T12:00:00', false], // no offset
    ['2026-11-23', false],
  ])('date-time %s → %s', (v, ok) => expect(isDateTimeInRange(v)).toBe(ok));
});
