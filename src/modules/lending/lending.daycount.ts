// Day-count conventions (days_in_year_method): the day count between two dates and the exact year
// fraction it gives. The conventions follow ISDA 2006 §4.16 as QuantLib implements them (see
// docs/lending.md, "Schedule engine").
import { type CivilDate, daysBetween, daysInMonth, epochDay, isLeap } from './lending.dates.js';
import { type Ratio, add, ratio, ZERO } from './lending.rounding.js';

export type DaysInYearMethod =
  | 'US_30_360'
  | 'EUROPEAN_30_360'
  | 'ISDA_30E_360'
  | 'ACTUAL_ACTUAL'
  | 'ACTUAL_365'
  | 'ACTUAL_360'
  | 'ACTUAL_364';

export const DAYS_IN_YEAR_METHODS: readonly DaysInYearMethod[] = [
  'US_30_360',
  'EUROPEAN_30_360',
  'ISDA_30E_360',
  'ACTUAL_ACTUAL',
  'ACTUAL_365',
  'ACTUAL_360',
  'ACTUAL_364',
];

const isLastOfFebruary = (d: CivilDate): boolean => d.month === 2 && d.day === daysInMonth(d.year, 2);

const thirty = (a: CivilDate, d1: number, b: CivilDate, d2: number): number =>
  360 * (b.year - a.year) + 30 * (b.month - a.month) + (d2 - d1);

/**
 * The day count of a convention from `start` to `end`. `maturity` says `end` is the loan's last
 * date (only 30E/360 ISDA looks at it).
 *  - US_30_360 (30/360 Bond Basis, ISDA 4.16(f)): D1 = 31 → 30; D2 = 31 → 30 when D1 ≥ 30.
 *  - EUROPEAN_30_360 (30E/360, Eurobond basis, 4.16(g)): D1 = 31 → 30; D2 = 31 → 30.
 *  - ISDA_30E_360 (30E/360 ISDA, 4.16(h)): a month-end D1 → 30; a month-end D2 → 30 unless it is
 *    the maturity date and in February.
 *  - every ACTUAL_* convention: calendar days.
 */
export function dayCount(method: DaysInYearMethod, start: CivilDate, end: CivilDate, maturity = false): number {
  switch (method) {
    case 'US_30_360': {
      const d1 = start.day === 31 ? 30 : start.day;
      return thirty(start, d1, end, end.day === 31 && d1 >= 30 ? 30 : end.day);
    }
    case 'EUROPEAN_30_360':
      return thirty(start, start.day === 31 ? 30 : start.day, end, end.day === 31 ? 30 : end.day);
    case 'ISDA_30E_360': {
      const d1 = start.day === daysInMonth(start.year, start.month) ? 30 : start.day;
      const endIsMonthEnd = end.day === daysInMonth(end.year, end.month);
      return thirty(start, d1, end, endIsMonthEnd && !(maturity && isLastOfFebruary(end)) ? 30 : end.day);
    }
    default:
      return daysBetween(start, end);
  }
}

/** The year a convention divides by (ACTUAL_ACTUAL splits by calendar year; 365 stands for it). */
export function daysInYear(method: DaysInYearMethod): number {
  switch (method) {
    case 'ACTUAL_365':
    case 'ACTUAL_ACTUAL':
      return 365;
    case 'ACTUAL_364':
      return 364;
    default:
      return 360;
  }
}

/**
 * The exact year fraction from `start` to `end`: day count ÷ days in year; ACTUAL_ACTUAL (ISDA)
 * adds, for each calendar year, the days falling in it ÷ that year's length (365 or 366).
 */
export function yearFraction(method: DaysInYearMethod, start: CivilDate, end: CivilDate, maturity = false): Ratio {
  if (method !== 'ACTUAL_ACTUAL') return ratio(BigInt(dayCount(method, start, end, maturity)), BigInt(daysInYear(method)));
  if (start.year === end.year) return ratio(BigInt(daysBetween(start, end)), isLeap(start.year) ? 366n : 365n);
  if (epochDay(end) < epochDay(start)) {
    const f = yearFraction(method, end, start);
    return { n: -f.n, d: f.d };
  }
  let total = ZERO;
  for (let y = start.year; y <= end.year; y++) {
    const from = y === start.year ? epochDay(start) : epochDay({ year: y, month: 1, day: 1 });
    const to = y === end.year ? epochDay(end) : epochDay({ year: y + 1, month: 1, day: 1 });
    total = add(total, ratio(BigInt(to - from), isLeap(y) ? 366n : 365n));
  }
  return total;
}
