// Plain ISO dates for the schedule engine. The engine's dates are `YYYY-MM-DD` strings (what the
// API and the business-date service speak) and it accepts Temporal.PlainDate too; inside, a date is
// its proleptic-Gregorian {year, month, day} and its day number, so a 360-installment schedule does
// not pay for hundreds of Temporal objects. The arithmetic agrees with Temporal.PlainDate.add
// (month steps clamp to the month's end) and `until` (days).
import type { Temporal } from 'temporal-polyfill';

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export type DateInput = string | Temporal.PlainDate;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

/** Parses `YYYY-MM-DD` (or takes a PlainDate's fields); undefined when it is not a real date. */
export function parseDate(input: DateInput): CivilDate | undefined {
  if (typeof input !== 'string') return { year: input.year, month: input.month, day: input.day };
  const m = ISO.exec(input);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export const formatDate = (d: CivilDate): string => `${String(d.year).padStart(4, '0')}-${pad2(d.month)}-${pad2(d.day)}`;

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function epochDay(d: CivilDate): number {
  const y = d.month <= 2 ? d.year - 1 : d.year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (d.month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d.day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (civil_from_days). */
export function fromEpochDay(z: number): CivilDate {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export const addDays = (d: CivilDate, n: number): CivilDate => fromEpochDay(epochDay(d) + n);

/** Adds months keeping the day, clamped to the target month's end (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(d: CivilDate, n: number): CivilDate {
  const index = d.year * 12 + (d.month - 1) + n;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

/** Calendar days from a to b (negative when b is earlier). */
export const daysBetween = (a: CivilDate, b: CivilDate): number => epochDay(b) - epochDay(a);

export const compareDates = (a: CivilDate, b: CivilDate): number => a.year - b.year || a.month - b.month || a.day - b.day;
