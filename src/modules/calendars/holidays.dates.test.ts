import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  addYears,
  clampDate,
  DateOutOfRange,
  daysBetween,
  epochDay,
  fromEpochDay,
  isIsoDate,
  isWeekend,
  isWorkingDay,
  mergeLineage,
  nextWorkingDate,
  nonWorkingDays,
  priorWorkingDate,
  weekday,
} from './holidays.dates.js';

const WEEK = [1, 2, 3, 4, 5];
const none = new Set<string>();

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

describe('calendar days', () => {
  it('knows the weekday of dates across centuries', () => {
    expect(weekday('1970-01-01')).toBe(4); // Thursday
    expect(weekday('1969-12-31')).toBe(3);
    expect(weekday('2000-02-29')).toBe(2); // Tuesday
    expect(weekday('2026-11-23')).toBe(1); // Monday
    expect(weekday('0099-12-31')).toBe(4); // not read as 1999 (a Friday)
  });
  it('round-trips epoch days, before 1970 too', () => {
    for (const d of ['1970-01-01', '1969-12-31', '1900-03-01', '2024-02-29', '2099-12-31', '0001-01-01']) expect(fromEpochDay(epochDay(d))).toBe(d);
  });
  it('adds days over month ends, leap days and year ends', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2100-02-28', 1)).toBe('2100-03-01'); // 2100 is not a leap year
    expect(addDays('2000-02-28', 1)).toBe('2000-02-29'); // 2000 is
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2025-01-01', '2024-01-01')).toBe(-366);
  });
  it('tells real dates from look-alikes', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
  });
  it('adds years, keeping 29 February only in leap years', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2026-11-23', 1)).toBe('2027-11-23');
  });
  it('counts Sunday, and weekdays the calendar does not work, as weekend', () => {
    expect(isWeekend('2026-11-28', WEEK)).toBe(true); // Saturday
    expect(isWeekend('2026-11-28', [...WEEK, 6])).toBe(false);
    expect(isWeekend('2026-11-29', [1, 2, 3, 4, 5, 6])).toBe(true); // Sunday, always
    expect(isWeekend('2026-11-25', [1, 2])).toBe(true); // a Wednesday off
  });
});

describe('priorWorkingDate and addWorkingDays', () => {
  it('goes back over a weekend and a holiday, across a year start', () => {
    // 2027-01-01 is a Friday; 2026-12-31 a Thursday.
    expect(priorWorkingDate('2027-01-04', WEEK, new Set(['2027-01-01', '2026-12-31']))).toBe('2026-12-30');
  });
  it('moves n working days either way; 0 leaves the date as it is', () => {
    expect(addWorkingDays('2026-11-23', 5, WEEK, none)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-30', -5, WEEK, none)).toBe('2026-11-23');
    expect(addWorkingDays('2026-11-28', 0, WEEK, none)).toBe('2026-11-28'); // a Saturday stays
    expect(addWorkingDays('2026-11-28', 1, WEEK, none)).toBe('2026-11-30'); // from a Saturday: Monday
    expect(addWorkingDays('2026-11-28', -1, WEEK, none)).toBe('2026-11-27'); // and back: Friday
  });
  it('crosses month ends in leap and common years', () => {
    // 2024-02-29 is a Thursday, 2024-03-01 a Friday.
    expect(addWorkingDays('2024-02-28', 2, WEEK, none)).toBe('2024-03-01');
    expect(addWorkingDays('2024-02-28', 1, WEEK, new Set(['2024-02-29']))).toBe('2024-03-01');
    // 2023-02-28 is a Tuesday; 2023 has no 29 February.
    expect(addWorkingDays('2023-02-28', 1, WEEK, none)).toBe('2023-03-01');
    expect(addWorkingDays('2026-01-30', 1, WEEK, none)).toBe('2026-02-02'); // Friday → Monday, over a month end
  });
  it('crosses year ends both ways', () => {
    const festive = new Set(['2026-12-24', '2026-12-25', '2026-12-31', '2027-01-01']);
    expect(addWorkingDays('2026-12-23', 3, WEEK, festive)).toBe('2026-12-30');
    expect(addWorkingDays('2026-12-23', 4, WEEK, festive)).toBe('2027-01-04');
    expect(addWorkingDays('2027-01-04', -4, WEEK, festive)).toBe('2026-12-23');
  });
  it('refuses fractions', () => {
    expect(() => addWorkingDays('2026-01-01', 1.5, WEEK, none)).toThrow(RangeError);
  });
  it('gives up on a calendar with no working day instead of looping', () => {
    expect(() => nextWorkingDate('2026-01-01', [], none)).toThrow(/no working day/);
  });
});

describe('nonWorkingDays', () => {
  it('lists weekends and holidays in a range, both ends included', () => {
    // 2024-11-02 is a Saturday.
    expect(nonWorkingDays('2024-11-01', '2024-11-09', WEEK, new Set(['2024-11-02', '2024-11-05']))).toEqual([
      { date: '2024-11-02', is_holiday: true, is_weekend: true },
      { date: '2024-11-03', is_holiday: false, is_weekend: true },
      { date: '2024-11-05', is_holiday: true, is_weekend: false },
      { date: '2024-11-09', is_holiday: false, is_weekend: true },
    ]);
    expect(nonWorkingDays('2024-11-04', '2024-11-04', WEEK, none)).toEqual([]);
  });
});

describe('mergeLineage (parent calendars)', () => {
  it("keeps the child's working days and inherits every ancestor's holidays", () => {
    const city = { workingDays: [1, 2, 3, 4, 5, 6], holidays: ['2026-01-25'] };
    const state = { workingDays: [1, 2, 3], holidays: ['2026-07-09'] };
    const country = { workingDays: WEEK, holidays: ['2026-12-25'] };
    const cal = mergeLineage([city, state, country]);
    expect(cal.workingDays).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...cal.holidays].sort()).toEqual(['2026-01-25', '2026-07-09', '2026-12-25']);
    // Friday 2026-12-25 is a holiday of the country; the city works Saturdays.
    expect(nextWorkingDate('2026-12-24', cal.workingDays, cal.holidays)).toBe('2026-12-26');
    expect(isWorkingDay('2026-07-09', cal.workingDays, cal.holidays)).toBe(false);
  });
  it('is Monday to Friday with no holidays when there is no calendar', () => {
    expect(mergeLineage([])).toEqual({ workingDays: [1, 2, 3, 4, 5], holidays: new Set() });
  });
});

describe('dates stay within 0001-01-01 … 9999-12-31', () => {
  it('a search past either end throws DateOutOfRange naming the date it started from', () => {
    expect(nextWorkingDate('9999-12-30', WEEK, none)).toBe('9999-12-31');
    const after = (() => {
      try {
        nextWorkingDate('9999-12-31', WEEK, none);
      } catch (err) {
        return err;
      }
    })();
    expect(after).toBeInstanceOf(DateOutOfRange);
    expect(after).toMatchObject({ date: '9999-12-31', direction: 'after' });
    expect(() => nextWorkingDate('9999-12-30', WEEK, new Set(['9999-12-31']))).toThrow(DateOutOfRange);
    expect(() => priorWorkingDate('0001-01-01', WEEK, none)).toThrow(DateOutOfRange);
    expect(() => addWorkingDays('9999-12-20', 10, WEEK, none)).toThrow(DateOutOfRange);
    expect(priorWorkingDate('0001-01-02', WEEK, none)).toBe('0001-01-01');
  });

  it('clampDate moves a window’s ends into the range', () => {
    expect(clampDate(addDays('9999-12-01', 60))).toBe('9999-12-31');
    expect(clampDate(addDays('0001-01-10', -60))).toBe('0001-01-01');
    expect(clampDate('2026-11-23')).toBe('2026-11-23');
  });
});
