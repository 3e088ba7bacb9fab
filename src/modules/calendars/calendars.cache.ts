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
import { afterCommit, type Tx } from '../../platform/db/database.js';
import { DAY_FACTS_CACHE_MS } from '../../platform/business-date.js';

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

/** Entries kept in all; past it the cache starts over. */
const MAX_ENTRIES = 20_000;
/** A chain with more holidays than this is not kept (its reads stay windowed). */
export const MAX_KEPT_HOLIDAYS = 5_000;

interface OrgEntries {
  /** By calendar id. */
  calendars: Map<bigint, { value: KeptCalendar; at: number }>;
  /** The calendar a program (`p<id>`) or the org (`org`) counts business days with; null: none. */
  owners: Map<string, { value: bigint | null; at: number }>;
}

const kept = new Map<string, OrgEntries>();
let size = 0;
const generations = new Map<string, number>();
const generation = (orgId: string): number => generations.get(orgId) ?? 0;
const fresh = (at: number): boolean => performance.now() - at < DAY_FACTS_CACHE_MS;

function forget(orgId: string): void {
  generations.set(orgId, generation(orgId) + 1);
  const org = kept.get(orgId);
  if (org) size -= org.calendars.size + org.owners.size;
  kept.delete(orgId);
}

/** Runs `store` on the org's entries once `tx` commits, unless the org's calendars or their owners changed meanwhile. */
function keepAfterCommit(tx: Tx, orgId: string, store: (org: OrgEntries) => boolean): void {
  const g = generation(orgId);
  afterCommit(tx, () => {
    if (generation(orgId) !== g) return;
    if (size >= MAX_ENTRIES) {
      kept.clear();
      size = 0;
    }
    let org = kept.get(orgId);
    if (!org) kept.set(orgId, (org = { calendars: new Map(), owners: new Map() }));
    if (store(org)) size += 1;
  });
}

/** The org's kept calendar, if kept less than DAY_FACTS_CACHE_MS ago. */
export function keptCalendar<C, H>(orgId: string, calendarId: bigint): KeptCalendar<C, H> | undefined {
  const hit = kept.get(orgId)?.calendars.get(calendarId);
  return hit && fresh(hit.at) ? (hit.value as KeptCalendar<C, H>) : undefined;
}

/** Keeps a calendar read in `tx` once `tx` commits, unless the org's calendars changed meanwhile. */
export function keepCalendar(tx: Tx, orgId: string, calendarId: bigint, value: KeptCalendar): void {
  if (value.holidays.length > MAX_KEPT_HOLIDAYS) return;
  keepAfterCommit(tx, orgId, (org) => {
    const added = !org.calendars.has(calendarId);
    org.calendars.set(calendarId, { value, at: performance.now() });
    return added;
  });
}

/** The kept calendar of a program (`p<id>`) or of the org (`org`): undefined when not kept, null for none. */
export function keptOwnerCalendar(orgId: string, owner: string): bigint | null | undefined {
  const hit = kept.get(orgId)?.owners.get(owner);
  return hit && fresh(hit.at) ? hit.value : undefined;
}

export function keepOwnerCalendar(tx: Tx, orgId: string, owner: string, value: bigint | null): void {
  keepAfterCommit(tx, orgId, (org) => {
    const added = !org.owners.has(owner);
    org.owners.set(owner, { value, at: performance.now() });
    return added;
  });
}

/** `tx` writes the org's calendars or holidays: forgets the org's kept calendars now and once `tx` commits. Returns `tx`. */
export function calendarsChanged(tx: Tx, orgId: string): Tx {
  forget(orgId);
  afterCommit(tx, () => forget(orgId));
  return tx;
}
