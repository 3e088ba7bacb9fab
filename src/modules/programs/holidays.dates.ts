// Business-day arithmetic on calendar dates (yyyy-mm-dd), in whole days, free of time zones.

const DAY_MS = 86_400_000;

const toDate = (d: string): Date => new Date(`${d}T00:00:00Z`);
const toIso = (d: Date): string => d.toISOString().slice(0, 10);

/** Pismo numbers working days 1 = Monday … 6 = Saturday; Sunday is never a working day. */
const weekday = (d: Date): number => d.getUTCDay();

export function isWorkingDay(date: string, workingDays: readonly number[], holidays: ReadonlySet<string>): boolean {
  const day = weekday(toDate(date));
  return day !== 0 && workingDays.includes(day) && !holidays.has(date);
}

/** The first working day after `date`: not a holiday, and a working weekday of the calendar. */
export function nextWorkingDate(date: string, workingDays: readonly number[], holidays: ReadonlySet<string>): string {
  let t = toDate(date).getTime();
  // Every week holds a working day and holidays are finite, so this ends; the bound guards bad data.
  for (let i = 0; i < 3660; i++) {
    t += DAY_MS;
    const candidate = toIso(new Date(t));
    if (isWorkingDay(candidate, workingDays, holidays)) return candidate;
  }
  throw new Error(`no working day within ten years after ${date}`);
}
