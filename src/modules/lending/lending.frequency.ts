// Repayment frequencies and durations: due dates from an anchor date, periods per year, and how
// many installments a stage's period (a duration) holds.
import { type CivilDate, addDays, addMonths, compareDates } from './lending.dates.js';
import { type DaysInYearMethod, daysInYear } from './lending.daycount.js';
import { type Ratio, ratio } from './lending.rounding.js';

export type FrequencyMethod = 'DAILY' | 'WEEKLY' | 'BIWEEKLY' | 'FORTNIGHTLY' | 'MONTHLY' | 'QUARTERLY' | 'YEARLY';

export const FREQUENCY_METHODS: readonly FrequencyMethod[] = ['DAILY', 'WEEKLY', 'BIWEEKLY', 'FORTNIGHTLY', 'MONTHLY', 'QUARTERLY', 'YEARLY'];

export interface RepaymentFrequency {
  method: FrequencyMethod;
  /** Repay every n units of `method` (default 1): `{ method: 'DAILY', every: 15 }` is every 15 days. */
  every?: number;
}

/** Units a duration (a stage's period, a rate's unit) is written in: Pismo's, plus WEEK. */
export type TimeUnit = 'DAY' | 'WEEK' | 'FORTNIGHT' | 'MONTH' | 'QUARTER' | 'YEAR';

export const TIME_UNITS: readonly TimeUnit[] = ['DAY', 'WEEK', 'FORTNIGHT', 'MONTH', 'QUARTER', 'YEAR'];

/** A step as whole days or whole months: the two kinds of calendar arithmetic. */
export interface Step {
  days: number;
  months: number;
}

const UNIT_STEP: Record<TimeUnit, Step> = {
  DAY: { days: 1, months: 0 },
  WEEK: { days: 7, months: 0 },
  FORTNIGHT: { days: 14, months: 0 },
  MONTH: { days: 0, months: 1 },
  QUARTER: { days: 0, months: 3 },
  YEAR: { days: 0, months: 12 },
};

const METHOD_UNIT: Record<FrequencyMethod, TimeUnit> = {
  DAILY: 'DAY',
  WEEKLY: 'WEEK',
  BIWEEKLY: 'FORTNIGHT',
  FORTNIGHTLY: 'FORTNIGHT',
  MONTHLY: 'MONTH',
  QUARTERLY: 'QUARTER',
  YEARLY: 'YEAR',
};

export const everyOf = (f: RepaymentFrequency): number => f.every ?? 1;

/** One repayment period of the frequency as days or months. */
export function frequencyStep(f: RepaymentFrequency): Step {
  const s = UNIT_STEP[METHOD_UNIT[f.method]];
  const n = everyOf(f);
  return { days: s.days * n, months: s.months * n };
}

/**
 * The k-th date after `anchor` (k ≥ 0) in steps of the frequency. Month steps are taken from the
 * anchor each time, so a due date keeps the anchor's day and clamps to the month's end
 * (31 Jan → 28/29 Feb → 31 Mar), never drifting to the 28th.
 */
export const nthDate = (anchor: CivilDate, step: Step, k: number): CivilDate =>
  step.months ? addMonths(anchor, step.months * k) : addDays(anchor, step.days * k);

/**
 * Repayment periods in a year: 12 ÷ months for month-based frequencies; 52 ÷ every for weekly and
 * 26 ÷ every for biweekly/fortnightly; the convention's year (360, 364 or 365 days) ÷ every for
 * daily.
 */
export function periodsPerYear(f: RepaymentFrequency, method: DaysInYearMethod): Ratio {
  const step = frequencyStep(f);
  const n = BigInt(everyOf(f));
  if (step.months) return ratio(12n, BigInt(step.months));
  if (f.method === 'WEEKLY') return ratio(52n, n);
  if (f.method === 'BIWEEKLY' || f.method === 'FORTNIGHTLY') return ratio(26n, n);
  return ratio(BigInt(daysInYear(method)), n);
}

/** How many of a unit there are in a year, to turn a rate per unit into a nominal annual rate. */
export function unitsPerYear(unit: TimeUnit, method: DaysInYearMethod): bigint {
  switch (unit) {
    case 'DAY':
      return BigInt(daysInYear(method));
    case 'WEEK':
      return 52n;
    case 'FORTNIGHT':
      return 26n;
    case 'MONTH':
      return 12n;
    case 'QUARTER':
      return 4n;
    case 'YEAR':
      return 1n;
  }
}

/**
 * Installments a duration holds at a frequency, or undefined when it does not divide evenly.
 * Same-kind units divide (3 MONTH monthly = 3; 45 DAY every 15 days = 3; 1 YEAR quarterly = 4);
 * across kinds (12 WEEK monthly, 2 MONTH biweekly) the due dates are walked from `from` and must
 * land on `from + duration` exactly.
 */
export function installmentsIn(duration: { value: number; unit: TimeUnit }, f: RepaymentFrequency, from: CivilDate): number | undefined {
  const unit = UNIT_STEP[duration.unit];
  const step = frequencyStep(f);
  if (!Number.isInteger(duration.value) || duration.value < 0) return undefined;
  if (unit.months && step.months) {
    const total = unit.months * duration.value;
    return total % step.months === 0 ? total / step.months : undefined;
  }
  if (unit.days && step.days) {
    const total = unit.days * duration.value;
    return total % step.days === 0 ? total / step.days : undefined;
  }
  const end = unit.months ? addMonths(from, unit.months * duration.value) : addDays(from, unit.days * duration.value);
  for (let k = 1; k <= 100_000; k++) {
    const cmp = compareDates(nthDate(from, step, k), end);
    if (cmp === 0) return k;
    if (cmp > 0) return undefined;
  }
  return undefined;
}
