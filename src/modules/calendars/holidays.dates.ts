// Business-day arithmetic on calendar dates (yyyy-mm-dd), in whole days, free of time zones: the
// caller has already decided which day it is (platform business dates). Pure functions; the
// service loads the holidays they need.
//
// Dates have four-digit years, 0001-01-01 to 9999-12-31 (the API's `date` format): a search that
// would answer a day outside that range throws DateOutOfRange instead of writing `10000-01-03`
// (and compares as text wrongly), and the service refuses the request naming the date asked about.
import { FIRST_DATE, LAST_DATE } from '../../platform/http/formats.js';

export { FIRST_DATE, LAST_DATE };

/** A working day was searched for past 9999-12-31 or before 0001-01-01. */
export class DateOutOfRange extends RangeError {
  constructor(readonly date: string, readonly direction: 'after' | 'before') {
    super(`no working day ${direction} ${date} within ${FIRST_DATE} to ${LAST_DATE}`);
    this.name = 'DateOutOfRange';
  }

  /** The reason a validation error gives for the field that held `date`. */
  get reason(): string {
    return this.direction === 'after'
      ? `has no business day after it up to ${LAST_DATE}, the last date Lastro handles`
      : `has no business day before it from ${FIRST_DATE}, the first date Lastro handles`;
  }
}

/** Pismo numbers working days 1 = Monday … 6 = Saturday; Sunday is never a working day. */
export const DEFAULT_WORKING_DAYS: readonly number[] = [1, 2, 3, 4, 5];

/**
 * How far a search walks before it gives up. Every week holds a working day and holidays are
 * finite, so a search ends long before this; the bound guards against bad data.
 */
export const SEARCH_LIMIT_DAYS = 3660;

const DAY_MS = 86_400_000;

/** Whether `date` is a real calendar date written yyyy-mm-dd. */
export function isIsoDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  return fromEpochDay(epochDay(date)) === date;
}

/** Throws for anything but a real yyyy-mm-dd date: callers pass dates they have validated. */
export function assertIsoDate(date: string): void {
  if (!isIsoDate(date)) throw new RangeError(`not a yyyy-mm-dd date: ${JSON.stringify(date)}`);
}

/** Days since 1970-01-01 (negative before). */
export function epochDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  t.setUTCFullYear(y, m - 1, d);
  return Math.round(t.getTime() / DAY_MS);
}

export function fromEpochDay(day: number): string {
  const t = new Date(day * DAY_MS);
  const y = t.getUTCFullYear();
  const yyyy = y < 0 ? `-${String(-y).padStart(6, '0')}` : String(y).padStart(4, '0');
  return `${yyyy}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
}

export const addDays = (date: string, n: number): string => fromEpochDay(epochDay(date) + n);

const FIRST_DAY = epochDay(FIRST_DATE);
const LAST_DAY = epochDay(LAST_DATE);

/** `date` moved into 0001-01-01 … 9999-12-31 (a window around a date may reach past either end). */
export const clampDate = (date: string): string => fromEpochDay(Math.min(LAST_DAY, Math.max(FIRST_DAY, epochDay(date))));

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => epochDay(to) - epochDay(from);

/** The same day `years` later (29 February becomes 28 February in a common year). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export const weekday = (date: string): number => (((epochDay(date) + 4) % 7) + 7) % 7;

/** A day the calendar does not work on its weekday alone: Sunday, or a weekday not in `workingDays`. */
export const isWeekend = (date: string, workingDays: readonly number[]): boolean => {
  const day = weekday(date);
  return day === 0 || !workingDays.includes(day);
};

export function isWorkingDay(date: string, workingDays: readonly number[], holidays: ReadonlySet<string>): boolean {
  return !isWeekend(date, workingDays) && !holidays.has(date);
}

/** The first working day after `date` (never `date` itself). */
export function nextWorkingDate(date: string, workingDays: readonly number[], holidays: ReadonlySet<string>): string {
  return step(date, 1, workingDays, holidays);
}

/** The last working day before `date` (never `date` itself). */
export function priorWorkingDate(date: string, workingDays: readonly number[], holidays: ReadonlySet<string>): string {
  return step(date, -1, workingDays, holidays);
}

function step(date: string, dir: 1 | -1, workingDays: readonly number[], holidays: ReadonlySet<string>): string {
  let day = epochDay(date);
  for (let i = 0; i < SEARCH_LIMIT_DAYS; i++) {
    day += dir;
    if (day > LAST_DAY || day < FIRST_DAY) throw new DateOutOfRange(date, dir > 0 ? 'after' : 'before');
    const candidate = fromEpochDay(day);
    if (isWorkingDay(candidate, workingDays, holidays)) return candidate;
  }
  throw new Error(`no working day within ten years ${dir > 0 ? 'after' : 'before'} ${date}`);
}

/**
 * The working day `n` working days after `date` (before it when `n` is negative), counting from
 * the day after (before) `date`, so `date` itself need not be a working day: +1 is the next working
 * day, −1 the prior one. `n` = 0 is `date` unchanged.
 */
export function addWorkingDays(date: string, n: number, workingDays: readonly number[], holidays: ReadonlySet<string>): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`business days must be a whole number, not ${n}`);
  let current = date;
  for (let left = Math.abs(n); left > 0; left--) current = step(current, n > 0 ? 1 : -1, workingDays, holidays);
  return current;
}

export interface NonWorkingDay {
  date: string;
  is_holiday: boolean;
  is_weekend: boolean;
}

/** Every day from `from` to `to` (both included) that is a holiday or a weekend, in order. */
export function nonWorkingDays(from: string, to: string, workingDays: readonly number[], holidays: ReadonlySet<string>): NonWorkingDay[] {
  const out: NonWorkingDay[] = [];
  for (let day = epochDay(from), end = epochDay(to); day <= end; day++) {
    const date = fromEpochDay(day);
    const is_holiday = holidays.has(date);
    const is_weekend = isWeekend(date, workingDays);
    if (is_holiday || is_weekend) out.push({ date, is_holiday, is_weekend });
  }
  return out;
}

/** A calendar as business days see it: its own working weekdays and the holidays it inherits. */
export interface WorkingCalendar {
  workingDays: readonly number[];
  holidays: ReadonlySet<string>;
}

/**
 * A calendar and its ancestors (nearest first) as one: a child keeps its own working days and
 * inherits every ancestor's holidays. An empty chain is "no calendar": Monday to Friday.
 */
export function mergeLineage(chain: readonly { workingDays: readonly number[]; holidays: Iterable<string> }[]): WorkingCalendar {
  const holidays = new Set<string>();
  for (const c of chain) for (const h of c.holidays) holidays.add(h);
  return { workingDays: chain[0]?.workingDays ?? DEFAULT_WORKING_DAYS, holidays };
}
