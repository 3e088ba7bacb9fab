// A process-local cache of calendars as other modules' business-day arithmetic reads them: a
// calendar, its ancestors and all their holidays. A simulation moves every due date to a business
// day, and reading the calendar, its chain and its holidays cost it three round trips of its seven.
//
// Kept per org for DAY_FACTS_CACHE_MS, as the business dates keep an org's zone and closing time:
// a change made through this process is seen at once, one made through another process within
// that time. Every repo function that writes a calendar or a holiday calls `calendarsChanged`:
// it forgets the org's calendars now and once its transaction commits, and a generation per org
// keeps a read that began before that commit from storing what it read. What a transaction read
// is kept only once it has committed (it may have read its own uncommitted change otherwise).
// The calendar API's own reads (business-day checks, lists) never use it: they read the tables.
import { DAY_FACTS_CACHE_MS } from '../../platform/business-date.js';
import type { Tx } from '../../platform/db/database.js';
import { KeptPerOrg } from '../../platform/kept.js';

/** `C`, `H`: the repo's calendar and holiday rows (calendars.repo.ts, which imports this file). */
export interface KeptCalendar<C = unknown, H = unknown> {
  /** The calendar and its ancestors, nearest first. */
  chain: C[];
  /** Every holiday of the chain, by date. */
  holidays: H[];
  /** Their dates. */
  dates: ReadonlySet<string>;
  /** Answers of businessDaysOnOrAfter on this calendar so far: the first business day on or after a date. */
  onOrAfter: Map<string, string>;
}

/** A chain with more holidays than this is not kept (its reads stay windowed). */
export const MAX_KEPT_HOLIDAYS = 5_000;

/** By calendar id. */
const calendars = new KeptPerOrg<bigint, KeptCalendar>({ maxEntries: 10_000, ttlMs: DAY_FACTS_CACHE_MS });
/** The calendar a program (`p<id>`) or the org (`org`) counts business days with; null: none. */
const owners = new KeptPerOrg<string, bigint | null>({ maxEntries: 100_000, ttlMs: DAY_FACTS_CACHE_MS });

/** The org's kept calendar, if kept less than DAY_FACTS_CACHE_MS ago. */
export const keptCalendar = <C, H>(orgId: string, calendarId: bigint): KeptCalendar<C, H> | undefined =>
  calendars.get(orgId, calendarId) as KeptCalendar<C, H> | undefined;

/** Keeps a calendar read in `tx` once `tx` commits, unless the org's calendars changed meanwhile. */
export function keepCalendar(tx: Tx, orgId: string, calendarId: bigint, value: KeptCalendar): void {
  if (value.holidays.length <= MAX_KEPT_HOLIDAYS) calendars.keepAfterCommit(tx, orgId, calendarId, value);
}

/** The kept calendar of a program (`p<id>`) or of the org (`org`): undefined when not kept, null for none. */
export const keptOwnerCalendar = (orgId: string, owner: string): bigint | null | undefined => owners.get(orgId, owner);

export const keepOwnerCalendar = (tx: Tx, orgId: string, owner: string, value: bigint | null): void => owners.keepAfterCommit(tx, orgId, owner, value);

/** `tx` writes the org's calendars or holidays: forgets the org's kept calendars now and once `tx` commits. Returns `tx`. */
export function calendarsChanged(tx: Tx, orgId: string): Tx {
  calendars.changed(tx, orgId);
  return owners.changed(tx, orgId);
}
