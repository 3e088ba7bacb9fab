// Holiday calendars and their holidays, per org, and business days computed from them. Programs
// and orgs name a calendar; due dates and business days come from it (and from its ancestors,
// whose holidays it inherits). Every function takes the caller's tenant transaction.
import { violates } from '../../platform/db/database.js';
import type { RequestContext } from '../../platform/context.js';
import type { FieldIssue } from '../../platform/errors.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { pageRequest, pismoPage } from '../../platform/paging.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id, isoSeconds } from '../../platform/wire.js';
import { keepCalendar, keepOwnerCalendar, keptCalendar, keptOwnerCalendar, MAX_KEPT_HOLIDAYS } from './calendars.cache.js';
import { CalendarErrors } from './calendars.errors.js';
import { CalendarEvents, type CalendarEventData } from './calendars.events.js';
import * as repo from './calendars.repo.js';
import type {
  AddedHoliday,
  AddHolidayBody,
  BusinessDay,
  Calendar,
  CalendarListQuery,
  CreateCalendarBody,
  CreatedCalendar,
  Holiday,
  HolidayListQuery,
  NonBusinessDays,
  NonBusinessDaysQuery,
  UpdateCalendarBody,
} from './calendars.schemas.js';
import {
  addDays,
  addWorkingDays,
  addYears,
  assertIsoDate,
  clampDate,
  DateOutOfRange,
  DEFAULT_WORKING_DAYS,
  isWeekend,
  isWorkingDay,
  nextWorkingDate,
  nonWorkingDays,
  priorWorkingDate,
  SEARCH_LIMIT_DAYS,
  type WorkingCalendar,
} from './holidays.dates.js';

/** Deeper parent chains than this are refused (and never walked further). */
const MAX_DEPTH = 16;

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
/**
 * A stored or requested value in one comparable form: ids are bigint in rows and numbers in
 * bodies, and JSON objects compare with their keys sorted (jsonb does not keep key order).
 */
const comparable = (v: unknown): string => {
  const canon = (x: unknown): unknown =>
    typeof x === 'bigint'
      ? Number(x)
      : Array.isArray(x)
        ? x.map(canon)
        : x !== null && typeof x === 'object'
          ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, canon((x as Record<string, unknown>)[k])]))
          : x;
  return v === null || v === undefined ? 'null' : JSON.stringify(canon(v));
};
/** Working days as stored: each day once, in order (Pismo's schema lets a day repeat). */
const sortDays = (days: readonly number[]) => [...new Set(days)].sort((a, b) => a - b);

/** An external_id of digits only would read as a calendar id wherever a program names its calendar. */
const externalIdIssue = (field: string, value: string | undefined): FieldIssue[] =>
  value !== undefined && /^[0-9]+$/.test(value) ? [{ field, reason: 'must not be all digits (a number names a calendar by its id)' }] : [];

const toCalendar = (r: repo.CalendarRow): Calendar => ({
  holiday_calendar_id: Number(r.holiday_calendar_id),
  name: r.name,
  type: r.type,
  external_id: opt(r.external_id),
  parent_id: r.parent_id === null ? undefined : Number(r.parent_id),
  metadata: opt(r.metadata),
  working_days: r.working_days,
});

const toHoliday = (r: repo.HolidayRow & { calendar_name: string }): Holiday => ({
  holiday_id: Number(r.holiday_id),
  name: r.name,
  holiday_date: r.holiday_date,
  description: opt(r.description),
  metadata: opt(r.metadata),
  holiday_calendar: { id: Number(r.holiday_calendar_id), name: r.calendar_name },
  created_at: isoSeconds(r.created_at),
  updated_at: isoSeconds(r.updated_at),
});

const holidayRow = (
  orgId: string,
  calendarId: bigint,
  h: { holiday_date: string; name: string; description?: string; metadata?: Record<string, unknown> },
  now: Date,
) => ({
  org_id: orgId,
  holiday_calendar_id: calendarId,
  holiday_date: h.holiday_date,
  name: h.name,
  description: h.description ?? null,
  metadata: h.metadata ? JSON.stringify(h.metadata) : null,
  created_at: now,
  updated_at: now,
});

/** The calendar and its ancestors, nearest first (at most MAX_DEPTH). */
const lineage = (t: TenantTx, calendar: repo.CalendarRow): Promise<repo.CalendarRow[]> =>
  repo.lineage(t.db, t.orgId, calendar.holiday_calendar_id, MAX_DEPTH);

// ---- who names a calendar ----------------------------------------------------------------------

/**
 * The modules whose objects name a calendar: programs (`holiday_calendar_id`) and the org. The
 * calendars module imports neither (programs imports calendars to resolve a reference); the
 * composition root (`src/modules/index.ts`) hands their lookups in with `useCalendarOwners`.
 */
export interface CalendarOwners {
  /** The calendar id a program of the org names, or null; throws the owner's 404 for an unknown program. */
  programCalendar(t: TenantTx, programId: bigint): Promise<bigint | null>;
  /** The calendar id the org names, or null. */
  orgCalendar(t: TenantTx): Promise<bigint | null>;
  /** Whether any program of the org names the calendar. */
  usedByProgram(t: TenantTx, calendarId: bigint): Promise<boolean>;
}

let owners: CalendarOwners | undefined;

/** Wires the owners' lookups; called once by the composition root. */
export function useCalendarOwners(o: CalendarOwners): void {
  owners = o;
}

function calendarOwners(): CalendarOwners {
  if (!owners) throw new Error('calendar owners are not wired: src/modules/index.ts calls useCalendarOwners');
  return owners;
}

// ---- business days, for other modules ----------------------------------------------------------

/**
 * A calendar to count business days with: its id, a reference as programs write it (digits name
 * an id, anything else an external_id), or null for none (Monday to Friday, no holidays).
 */
export type CalendarRef = bigint | string | null;

interface Lineage {
  /** The calendar itself; undefined for "no calendar". */
  calendar: repo.CalendarRow | undefined;
  /** It and its ancestors, nearest first. */
  chain: repo.CalendarRow[];
  /** Every holiday of the chain and their dates, when known (a kept calendar): no window to read. */
  all?: { holidays: repo.HolidayOnDate[]; dates: ReadonlySet<string>; onOrAfter: Map<string, string> };
}

async function lineageOfRef(t: TenantTx, ref: CalendarRef): Promise<Lineage> {
  if (ref === null) return { calendar: undefined, chain: [] };
  const id = typeof ref === 'bigint' ? ref : /^[0-9]+$/.test(ref) ? int8Id(ref) : undefined;
  const calendar =
    typeof ref === 'string' && !/^[0-9]+$/.test(ref)
      ? await repo.findCalendarByExternalId(t.db, t.orgId, ref)
      : id === undefined
        ? undefined
        : await repo.findCalendar(t.db, t.orgId, id);
  if (!calendar) throw CalendarErrors.calendarNotFound();
  return { calendar, chain: await lineage(t, calendar) };
}

/**
 * lineageOfRef with all the chain's holidays, for other modules' business-day arithmetic: kept
 * per process (calendars.cache.ts), so a warm read sends nothing.
 */
async function keptLineageOfRef(t: TenantTx, ref: CalendarRef): Promise<Lineage> {
  const id = typeof ref === 'bigint' ? ref : typeof ref === 'string' && /^[0-9]+$/.test(ref) ? int8Id(ref) : undefined;
  if (id === undefined) return lineageOfRef(t, ref);
  const hit = keptCalendar<repo.CalendarRow, repo.HolidayOnDate>(t.orgId, id);
  if (hit) return { calendar: hit.chain[0], chain: hit.chain, all: hit };
  const lin = await lineageOfRef(t, id);
  const ids = lin.chain.map((c) => c.holiday_calendar_id);
  const holidays = await repo.holidaysOf(t.db, t.orgId, ids, MAX_KEPT_HOLIDAYS + 1);
  if (holidays.length > MAX_KEPT_HOLIDAYS) return lin;
  const kept = { chain: lin.chain, holidays, dates: new Set(holidays.map((h) => h.holiday_date)), onOrAfter: new Map<string, string>() };
  keepCalendar(t.db, t.orgId, id, kept);
  return { ...lin, all: kept };
}

/**
 * Runs `fn` over the holidays of the lineage from `reach` days before `first` to `reach` days
 * after `last`, and again over a wider window while any day `fn` reports having reached lies
 * outside it: a search walks from its start to its answer, so an answer inside the window means
 * every day it looked at was known.
 */
async function withHolidays<T>(
  t: TenantTx,
  lin: Lineage,
  span: { first: string; last: string; reach: number },
  fn: (cal: WorkingCalendar, holidays: repo.HolidayOnDate[]) => { value: T; reached: string[] },
): Promise<T> {
  const ids = lin.chain.map((c) => c.holiday_calendar_id);
  const workingDays = lin.calendar?.working_days ?? DEFAULT_WORKING_DAYS;
  if (lin.all) return fn({ workingDays, holidays: lin.all.dates }, lin.all.holidays).value;
  for (let w = span.reach; ; w = w * 2 + 31) {
    const from = clampDate(addDays(span.first, -w));
    const to = clampDate(addDays(span.last, w));
    const rows = ids.length ? await repo.holidaysBetween(t.db, t.orgId, ids, from, to) : [];
    const { value, reached } = fn({ workingDays, holidays: new Set(rows.map((r) => r.holiday_date)) }, rows);
    if (reached.every((d) => d >= from && d <= to)) return value;
    if (w > 4 * SEARCH_LIMIT_DAYS) throw new Error(`business days around ${span.first} reach too far`);
  }
}

const around = (date: string, reach: number) => ({ first: date, last: date, reach });

/** Runs `search`; a business day it would find past 9999-12-31 (or before 0001-01-01) is a 400 naming `field`. */
async function withinDateRange<T>(field: (date: string) => string, search: () => Promise<T>): Promise<T> {
  try {
    return await search();
  } catch (err) {
    if (err instanceof DateOutOfRange) throw CalendarErrors.invalid([{ field: field(err.date), reason: err.reason }]);
    throw err;
  }
}

/** The holiday of the nearest calendar of the lineage on `date`, if any. */
function holidayOn(lin: Lineage, rows: repo.HolidayOnDate[], date: string): repo.HolidayOnDate | undefined {
  const depth = new Map(lin.chain.map((c, i) => [c.holiday_calendar_id, i]));
  return rows
    .filter((r) => r.holiday_date === date)
    .sort((a, b) => (depth.get(a.holiday_calendar_id) ?? 0) - (depth.get(b.holiday_calendar_id) ?? 0))[0];
}

/** Whether `date` (yyyy-mm-dd) is a business day of the calendar: a working weekday and no holiday of it or its parents. */
export async function isBusinessDay(t: TenantTx, calendar: CalendarRef, date: string): Promise<boolean> {
  assertIsoDate(date);
  const lin = await keptLineageOfRef(t, calendar);
  return withHolidays(t, lin, around(date, 0), (cal) => ({ value: isWorkingDay(date, cal.workingDays, cal.holidays), reached: [date] }));
}

/** The first business day after `date` (never `date` itself). */
export async function nextBusinessDay(t: TenantTx, calendar: CalendarRef, date: string): Promise<string> {
  return addBusinessDays(t, calendar, date, 1);
}

/**
 * The business day `n` business days after `date` (before it for a negative `n`), counted from
 * the day after (before) `date`, which need not be a business day itself. `n` = 0 is `date`.
 */
export async function addBusinessDays(t: TenantTx, calendar: CalendarRef, date: string, n: number): Promise<string> {
  assertIsoDate(date);
  if (!Number.isSafeInteger(n)) throw new RangeError(`business days must be a whole number, not ${n}`);
  const lin = await keptLineageOfRef(t, calendar);
  return withHolidays(t, lin, around(date, 2 * Math.abs(n) + 31), (cal) => {
    const value = addWorkingDays(date, n, cal.workingDays, cal.holidays);
    return { value, reached: [value] };
  });
}

/**
 * For each date, the first business day on or after it (the date itself when it is one), as
 * `addBusinessDays(t, calendar, <the day before>, 1)` answers it, with the calendar, its ancestors
 * and their holidays read once for all the dates instead of once per date.
 */
export async function businessDaysOnOrAfter(t: TenantTx, calendar: CalendarRef, dates: readonly string[]): Promise<Map<string, string>> {
  if (!dates.length) return new Map();
  for (const d of dates) assertIsoDate(d);
  const lin = await keptLineageOfRef(t, calendar);
  // A kept calendar (or none: Monday to Friday) never changes: its answers are kept with it.
  const memo = lin.all?.onOrAfter ?? (lin.calendar === undefined ? WEEKDAYS_ON_OR_AFTER : undefined);
  if (memo) {
    const cal = { workingDays: lin.calendar?.working_days ?? DEFAULT_WORKING_DAYS, holidays: lin.all?.dates ?? NO_HOLIDAYS };
    const value = new Map<string, string>();
    for (const d of dates) {
      let day = memo.get(d);
      if (day === undefined) {
        day = addWorkingDays(addDays(d, -1), 1, cal.workingDays, cal.holidays);
        if (memo.size >= MAX_MEMO) memo.clear();
        memo.set(d, day);
      }
      value.set(d, day);
    }
    return value;
  }
  const before = dates.map((d) => addDays(d, -1)).sort();
  return withHolidays(t, lin, { first: before[0]!, last: before.at(-1)!, reach: 2 + 31 }, (cal) => {
    const value = new Map(dates.map((d) => [d, addWorkingDays(addDays(d, -1), 1, cal.workingDays, cal.holidays)]));
    return { value, reached: [...value.values()] };
  });
}

const WEEKDAYS_ON_OR_AFTER = new Map<string, string>();
const NO_HOLIDAYS: ReadonlySet<string> = new Set();
const MAX_MEMO = 10_000;

/**
 * The calendar business days of a program or of the org follow: the program's holiday calendar,
 * else the org's, else none (null: Monday to Friday, no holidays). An org calendar id stored
 * before calendars existed, naming none, counts as none.
 */
export async function calendarFor(t: TenantTx, of: { programId: bigint } | 'org'): Promise<bigint | null> {
  // Kept per process as the calendars are (calendars.cache.ts); the program's and the org's
  // modules call calendarOwnersChanged when they change the calendar they name.
  const owner = of === 'org' ? 'org' : `p${of.programId}`;
  const hit = keptOwnerCalendar(t.orgId, owner);
  if (hit !== undefined) return hit;
  const found = await readCalendarFor(t, of);
  keepOwnerCalendar(t.db, t.orgId, owner, found);
  return found;
}

async function readCalendarFor(t: TenantTx, of: { programId: bigint } | 'org'): Promise<bigint | null> {
  const o = calendarOwners();
  if (of !== 'org') {
    const own = await o.programCalendar(t, of.programId);
    if (own !== null) return own;
  }
  const orgs = await o.orgCalendar(t);
  if (orgs === null) return null;
  return (await repo.findCalendar(t.db, t.orgId, orgs)) ? orgs : null;
}

/**
 * The id of the calendar a program names: digits name it by its id, anything else by its
 * external_id (which is never all digits, so a reference has one meaning). Undefined when the
 * org has no such calendar. The row is locked FOR KEY SHARE: a concurrent delete of the calendar
 * waits until the caller's transaction, which is about to reference it, ends.
 */
export async function resolveCalendarRef(t: TenantTx, ref: string): Promise<bigint | undefined> {
  if (/^[0-9]+$/.test(ref)) {
    const id = int8Id(ref);
    return id === undefined ? undefined : (await repo.findCalendar(t.db, t.orgId, id, 'keyShare'))?.holiday_calendar_id;
  }
  return (await repo.findCalendarByExternalId(t.db, t.orgId, ref, 'keyShare'))?.holiday_calendar_id;
}

/** Unique and foreign-key violations a concurrent request can cause, as the 409 or 404 they mean. */
function mapCalendarConflict(err: unknown, names: { name?: string | undefined; externalId?: string | undefined }): never {
  if (violates(err, 'holiday_calendars_name')) throw CalendarErrors.calendarExists(`name "${names.name ?? ''}"`);
  if (violates(err, 'holiday_calendars_external_id')) throw CalendarErrors.calendarExists(`external_id "${names.externalId ?? ''}"`);
  if (violates(err, 'holiday_calendars_parent_fk')) throw CalendarErrors.parentNotFound();
  throw err;
}

// ---- the Holidays API ----------------------------------------------------------------------------

export type CalendarsService = ReturnType<typeof createCalendarsService>;

export function createCalendarsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock } = deps;
  const events = { clock, ids: deps.ids };

  const calendarEvent = (r: repo.CalendarRow, extra: Partial<CalendarEventData> = {}): CalendarEventData => ({
    org_id: r.org_id,
    holiday_calendar_id: Number(r.holiday_calendar_id),
    name: r.name,
    ...(r.external_id ? { external_id: r.external_id } : {}),
    ...extra,
  });

  async function mustFind(t: TenantTx, id: bigint | undefined, lock?: repo.CalendarLock): Promise<repo.CalendarRow> {
    const row = id === undefined ? undefined : await repo.findCalendar(t.db, t.orgId, id, lock);
    if (!row) throw CalendarErrors.calendarNotFound();
    return row;
  }

  /**
   * Working date of each given holiday date, from the calendar's (and ancestors') holidays. A
   * holiday whose working date would fall after 9999-12-31 is refused, naming `fieldOf(date)`.
   */
  async function workingDates(t: TenantTx, calendar: repo.CalendarRow, dates: string[], fieldOf: (date: string) => string): Promise<Map<string, string>> {
    if (!dates.length) return new Map();
    const lin = { calendar, chain: await lineage(t, calendar) };
    const sorted = [...dates].sort();
    return withinDateRange(fieldOf, () =>
      withHolidays(t, lin, { first: sorted[0]!, last: sorted.at(-1)!, reach: 31 }, (cal) => {
        const value = new Map(dates.map((d) => [d, nextWorkingDate(d, cal.workingDays, cal.holidays)]));
        return { value, reached: [...value.values()] };
      }),
    );
  }

  /**
   * The calendar a body names by id, by external id, or by both. Pismo's schemas let a body carry
   * both (the prose says "one or the other"), so both are accepted when they name the same
   * calendar; two different calendars are a 400 naming both fields, and a reference that names
   * none is the caller's 404. Locked FOR KEY SHARE: the caller is about to reference it.
   */
  async function namedCalendar(
    t: TenantTx,
    ref: { idField: string; id: number | undefined; externalIdField: string; externalId: string | undefined },
    notFound: (field: string) => Error,
  ): Promise<repo.CalendarRow> {
    const byId =
      ref.id === undefined ? undefined : ((ref.id > 0 ? await repo.findCalendar(t.db, t.orgId, BigInt(ref.id), 'keyShare') : undefined) ?? null);
    if (byId === null) throw notFound(ref.idField);
    const byExternalId = ref.externalId === undefined ? undefined : ((await repo.findCalendarByExternalId(t.db, t.orgId, ref.externalId, 'keyShare')) ?? null);
    if (byExternalId === null) throw notFound(ref.externalIdField);
    if (byId && byExternalId && byId.holiday_calendar_id !== byExternalId.holiday_calendar_id) {
      throw CalendarErrors.referencesDiffer(
        { field: ref.idField, id: byId.holiday_calendar_id },
        { field: ref.externalIdField, value: ref.externalId!, id: byExternalId.holiday_calendar_id },
      );
    }
    const found = byId ?? byExternalId;
    if (!found) throw new Error('namedCalendar needs an id or an external id');
    return found;
  }

  /**
   * A parent given by id, external id or both (naming the same calendar) must exist; a calendar
   * cannot become its own ancestor. Takes the org's calendar-tree lock first, so the loop check
   * holds until the transaction ends.
   */
  async function resolveParent(t: TenantTx, parentId?: number, parentExternalId?: string, self?: bigint) {
    if (parentId === undefined && parentExternalId === undefined) return undefined;
    await repo.lockCalendarTree(t.db, t.orgId);
    const parent = await namedCalendar(
      t,
      { idField: 'parent_id', id: parentId, externalIdField: 'parent_external_id', externalId: parentExternalId },
      CalendarErrors.parentNotFound,
    );
    const chain = await lineage(t, parent);
    if (chain.length >= MAX_DEPTH) throw CalendarErrors.invalid([{ field: 'body.parent_id', reason: `makes a chain deeper than ${MAX_DEPTH} calendars` }]);
    if (self !== undefined && chain.some((c) => c.holiday_calendar_id === self)) {
      throw CalendarErrors.invalid([{ field: 'body.parent_id', reason: 'would make the calendar its own ancestor' }]);
    }
    return parent;
  }

  async function assertNoClash(t: TenantTx, name?: string, externalId?: string, except?: bigint) {
    const clash = await repo.findClash(t.db, t.orgId, name, externalId, except);
    if (clash) throw CalendarErrors.calendarExists(clash.name === name ? `name "${name}"` : `external_id "${externalId}"`);
  }

  /** What names the calendar, as the 409 of a delete says it; undefined when nothing does. */
  async function userOf(t: TenantTx, calendarId: bigint): Promise<string | undefined> {
    const o = calendarOwners();
    if (await o.usedByProgram(t, calendarId)) return 'a program';
    if ((await o.orgCalendar(t)) === calendarId) return 'the org';
    if (await repo.hasChildren(t.db, t.orgId, calendarId)) return 'a child calendar';
    return undefined;
  }

  return {
    /** Creates a calendar with its holidays; emits Holiday calendar created. */
    async createCalendar(t: TenantTx, body: CreateCalendarBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<CreatedCalendar> {
      const dates = (body.holidays ?? []).map((h) => h.holiday_date);
      const dup = dates.findIndex((d, i) => dates.indexOf(d) !== i);
      if (dup >= 0) throw CalendarErrors.invalid([{ field: `body.holidays[${dup}].holiday_date`, reason: `repeats ${dates[dup]}` }]);
      const issues = externalIdIssue('body.external_id', body.external_id);
      if (issues.length) throw CalendarErrors.invalid(issues);
      const orgId = t.orgId;
      const once = { orgId, key: ctx.idempotencyKey, operation: 'POST /holidays-core/v1/holiday-calendar', payload: body };
      try {
        const res = await maybeIdempotent(t.db, clock, once, async () => {
          await assertNoClash(t, body.name, body.external_id);
          const parent = await resolveParent(t, body.parent_id, body.parent_external_id);
          const now = clock.now();
          const cal = await repo.insertCalendar(t.db, {
            org_id: orgId,
            name: body.name,
            type: body.type,
            external_id: body.external_id ?? null,
            parent_id: parent?.holiday_calendar_id ?? null,
            metadata: body.metadata ? JSON.stringify(body.metadata) : null,
            working_days: sortDays(body.working_days ?? DEFAULT_WORKING_DAYS),
            created_at: now,
            updated_at: now,
          });
          const rows = await repo.insertHolidays(
            t.db,
            (body.holidays ?? []).map((h) => holidayRow(orgId, cal.holiday_calendar_id, h, now)),
          );
          const working = await workingDates(t, cal, dates, (d) => `body.holidays[${dates.indexOf(d)}].holiday_date`);
          await recordEvent(t.db, events, CalendarEvents.calendarCreated, { orgId, cid: t.cid, data: calendarEvent(cal) });
          const created: CreatedCalendar = {
            ...toCalendar(cal),
            ...(parent?.external_id ? { parent_external_id: parent.external_id } : {}),
            holidays: rows.map((h) => ({
              holiday_id: Number(h.holiday_id),
              name: h.name,
              holiday_date: h.holiday_date,
              description: opt(h.description),
              metadata: opt(h.metadata),
              working_date: working.get(h.holiday_date)!,
            })),
          };
          return { status: 201, body: created };
        });
        return res.body;
      } catch (err) {
        mapCalendarConflict(err, { name: body.name, externalId: body.external_id });
      }
    },

    async getCalendar(t: TenantTx, id: bigint | undefined): Promise<Calendar> {
      return toCalendar(await mustFind(t, id));
    },

    async getCalendarByExternalId(t: TenantTx, externalId: string): Promise<Calendar> {
      const row = await repo.findCalendarByExternalId(t.db, t.orgId, externalId);
      if (!row) throw CalendarErrors.calendarNotFound();
      return toCalendar(row);
    },

    async listCalendars(t: TenantTx, q: CalendarListQuery) {
      const page = pageRequest(q.page, q.perPage);
      const filter: repo.CalendarFilter = {
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.type !== undefined ? { type: q.type } : {}),
        ...(q.parent_id !== undefined ? { parentId: BigInt(q.parent_id) } : {}),
      };
      if (q.relation) {
        // The relation is taken from the calendar named by id or external id.
        const anchor =
          q.holiday_calendar_id !== undefined
            ? await repo.findCalendar(t.db, t.orgId, BigInt(q.holiday_calendar_id))
            : q.external_id !== undefined
              ? await repo.findCalendarByExternalId(t.db, t.orgId, q.external_id)
              : undefined;
        if (q.holiday_calendar_id === undefined && q.external_id === undefined) {
          throw CalendarErrors.invalid([{ field: 'query.relation', reason: 'needs holiday_calendar_id or external_id' }]);
        }
        if (!anchor) filter.ids = [];
        else if (q.relation === 'children') filter.parentId = anchor.holiday_calendar_id;
        else filter.ids = (await lineage(t, anchor)).slice(1).map((c) => c.holiday_calendar_id);
      } else {
        if (q.holiday_calendar_id !== undefined) filter.id = BigInt(q.holiday_calendar_id);
        if (q.external_id !== undefined) filter.externalId = q.external_id;
      }
      const { rows, total } = await repo.listCalendars(t.db, t.orgId, filter, { by: q.sort_by ?? 'name', order: q.sort_order ?? 'asc' }, page);
      return pismoPage(page, total, rows.map(toCalendar));
    },

    /**
     * Changes the given fields; writes nothing and emits nothing when they already hold those
     * values, and emits Holiday calendar updated otherwise.
     */
    async updateCalendar(t: TenantTx, id: bigint | undefined, body: UpdateCalendarBody): Promise<void> {
      const issues = externalIdIssue('body.external_id', body.external_id);
      if (issues.length) throw CalendarErrors.invalid(issues);
      try {
        // The tree lock (taken when a parent is given) comes before the row lock, as in delete.
        if (body.parent_id !== undefined) await repo.lockCalendarTree(t.db, t.orgId);
        const before = await mustFind(t, id, 'update');
        await assertNoClash(t, body.name, body.external_id, before.holiday_calendar_id);
        const parent = await resolveParent(t, body.parent_id, undefined, before.holiday_calendar_id);
        const wanted: Record<string, unknown> = {
          ...body,
          ...(body.working_days !== undefined ? { working_days: sortDays(body.working_days) } : {}),
        };
        const changed = Object.keys(wanted).filter((k) => comparable((before as Record<string, unknown>)[k]) !== comparable(wanted[k]));
        if (!changed.length) return;
        const changes = {
          ...(changed.includes('name') ? { name: body.name } : {}),
          ...(changed.includes('type') ? { type: body.type } : {}),
          ...(changed.includes('external_id') ? { external_id: body.external_id } : {}),
          ...(changed.includes('parent_id') && parent ? { parent_id: parent.holiday_calendar_id } : {}),
          ...(changed.includes('metadata') ? { metadata: JSON.stringify(body.metadata) } : {}),
          ...(changed.includes('working_days') ? { working_days: sortDays(body.working_days!) } : {}),
        };
        const after = await repo.updateCalendar(t.db, t.orgId, before.holiday_calendar_id, { ...changes, updated_at: clock.now() });
        await recordEvent(t.db, events, CalendarEvents.calendarUpdated, {
          orgId: t.orgId,
          cid: t.cid,
          data: calendarEvent(after, { change: 'CALENDAR_UPDATED', changed_fields: changed }),
        });
      } catch (err) {
        mapCalendarConflict(err, { name: body.name, externalId: body.external_id });
      }
    },

    /** Deletes a calendar and its holidays, unless a program, the org or a child calendar uses it. */
    async deleteCalendar(t: TenantTx, id: bigint | undefined): Promise<void> {
      // Tree lock, then the row: a child being attached, or a program, an org or a holiday being
      // written against the calendar (FOR KEY SHARE), finishes first, and the checks below see it.
      await repo.lockCalendarTree(t.db, t.orgId);
      const cal = await mustFind(t, id, 'update');
      const user = await userOf(t, cal.holiday_calendar_id);
      if (user) throw CalendarErrors.calendarInUse(user);
      try {
        await repo.deleteCalendar(t.db, t.orgId, cal.holiday_calendar_id);
      } catch (err) {
        // The last line behind the locks: a child (this module's constraint), or a row of another
        // module that still names the calendar (its constraint, which only it decodes by name).
        if (violates(err, 'holiday_calendars_parent_fk')) throw CalendarErrors.calendarInUse('a child calendar');
        if (repo.isForeignKeyViolation(err)) throw CalendarErrors.calendarInUse('a program or the org');
        throw err;
      }
      await recordEvent(t.db, events, CalendarEvents.calendarDeleted, { orgId: t.orgId, cid: t.cid, data: calendarEvent(cal) });
    },

    /** Adds a holiday to a calendar named by id or external id; emits Holiday calendar updated. */
    async addHoliday(t: TenantTx, body: AddHolidayBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<AddedHoliday> {
      if (body.holiday_calendar_id === undefined && body.external_id === undefined) throw CalendarErrors.missingCalendarRef();
      const orgId = t.orgId;
      const once = { orgId, key: ctx.idempotencyKey, operation: 'POST /holidays-core/v1/holiday-calendar/holiday', payload: body };
      try {
        const res = await maybeIdempotent(t.db, clock, once, async () => {
          const cal = await namedCalendar(
            t,
            { idField: 'holiday_calendar_id', id: body.holiday_calendar_id, externalIdField: 'external_id', externalId: body.external_id },
            CalendarErrors.calendarNotFound,
          );
          if (await repo.findHolidayOnDate(t.db, orgId, cal.holiday_calendar_id, body.holiday_date)) throw CalendarErrors.holidayExists(body.holiday_date);
          const now = clock.now();
          const [h] = await repo.insertHolidays(t.db, [holidayRow(orgId, cal.holiday_calendar_id, body, now)]);
          const working = await workingDates(t, cal, [body.holiday_date], () => 'body.holiday_date');
          await recordEvent(t.db, events, CalendarEvents.calendarUpdated, {
            orgId,
            cid: t.cid,
            data: calendarEvent(cal, { change: 'HOLIDAY_ADDED', holiday_id: Number(h!.holiday_id), holiday_date: h!.holiday_date }),
          });
          const added: AddedHoliday = {
            holiday_id: Number(h!.holiday_id),
            holiday_calendar_id: Number(cal.holiday_calendar_id),
            ...(cal.external_id ? { external_id: cal.external_id } : {}),
            name: h!.name,
            holiday_date: h!.holiday_date,
            description: opt(h!.description),
            metadata: opt(h!.metadata),
            working_date: working.get(h!.holiday_date)!,
            created_at: isoSeconds(h!.created_at),
          };
          return { status: 201, body: added };
        });
        return res.body;
      } catch (err) {
        // Two requests adding the same date at once: the second meets the unique index.
        if (violates(err, 'holidays_one_per_date')) throw CalendarErrors.holidayExists(body.holiday_date);
        if (violates(err, 'holidays_calendar_fk')) throw CalendarErrors.calendarNotFound();
        throw err;
      }
    },

    async listHolidays(t: TenantTx, calendarId: bigint | undefined, q: HolidayListQuery) {
      if (q.beginDate && q.endDate && q.endDate < q.beginDate) {
        throw CalendarErrors.invalid([{ field: 'query.endDate', reason: 'is before beginDate' }]);
      }
      const page = pageRequest(q.page, q.perPage);
      const cal = await mustFind(t, calendarId);
      const ids = q.include_parent_holidays ? (await lineage(t, cal)).map((c) => c.holiday_calendar_id) : [cal.holiday_calendar_id];
      const filter = {
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.beginDate !== undefined ? { beginDate: q.beginDate } : {}),
        ...(q.endDate !== undefined ? { endDate: q.endDate } : {}),
      };
      const { rows, total } = await repo.listHolidays(t.db, t.orgId, ids, filter, { by: q.orderBy ?? 'ID', order: q.order ?? 'ASC' }, page);
      return pismoPage(page, total, rows.map(toHoliday));
    },

    /** Renames a holiday (no name, or the same one: nothing changes); emits Holiday calendar updated. */
    async updateHoliday(t: TenantTx, calendarId: bigint | undefined, holidayId: bigint | undefined, name: string | undefined): Promise<void> {
      const cal = await mustFind(t, calendarId);
      const h = holidayId === undefined ? undefined : await repo.findHoliday(t.db, t.orgId, cal.holiday_calendar_id, holidayId);
      if (!h) throw CalendarErrors.holidayNotFound();
      if (name === undefined || h.name === name) return;
      await repo.updateHoliday(t.db, t.orgId, h.holiday_id, { name, updated_at: clock.now() });
      await recordEvent(t.db, events, CalendarEvents.calendarUpdated, {
        orgId: t.orgId,
        cid: t.cid,
        data: calendarEvent(cal, { change: 'HOLIDAY_UPDATED', changed_fields: ['name'], holiday_id: Number(h.holiday_id), holiday_date: h.holiday_date }),
      });
    },

    /** Deletes a holiday; emits Holiday calendar updated. */
    async deleteHoliday(t: TenantTx, calendarId: bigint | undefined, holidayId: bigint | undefined): Promise<void> {
      const cal = await mustFind(t, calendarId);
      const h = holidayId === undefined ? undefined : await repo.findHoliday(t.db, t.orgId, cal.holiday_calendar_id, holidayId);
      if (!h) throw CalendarErrors.holidayNotFound();
      await repo.deleteHoliday(t.db, t.orgId, h.holiday_id);
      await recordEvent(t.db, events, CalendarEvents.calendarUpdated, {
        orgId: t.orgId,
        cid: t.cid,
        data: calendarEvent(cal, { change: 'HOLIDAY_DELETED', holiday_id: Number(h.holiday_id), holiday_date: h.holiday_date }),
      });
    },

    /**
     * POST …/{holiday_calendar_id}/business-day: whether `date` is a holiday (of the calendar or
     * a parent) or a weekend, the holiday's name and metadata, and the business days around it.
     */
    async businessDay(t: TenantTx, calendarId: bigint | undefined, date: string): Promise<BusinessDay> {
      const calendar = await mustFind(t, calendarId);
      const lin = { calendar, chain: await lineage(t, calendar) };
      return withinDateRange(() => 'body.current_date', () => withHolidays(t, lin, around(date, 31), (cal, rows) => {
        const next = nextWorkingDate(date, cal.workingDays, cal.holidays);
        const prior = priorWorkingDate(date, cal.workingDays, cal.holidays);
        const holiday = holidayOn(lin, rows, date);
        const value: BusinessDay = {
          current_date: date,
          holiday_calendar_id: Number(calendar.holiday_calendar_id),
          is_holiday: holiday !== undefined,
          is_weekend: isWeekend(date, cal.workingDays),
          ...(holiday ? { name: holiday.name } : {}),
          ...(holiday?.description ? { description: holiday.description } : {}),
          ...(holiday?.metadata ? { holiday_metadata: holiday.metadata } : {}),
          ...(calendar.metadata ? { holiday_calendar_metadata: calendar.metadata } : {}),
          next_business_date: next,
          prior_business_date: prior,
        };
        return { value, reached: [prior, next] };
      }));
    },

    /**
     * GET …/{holiday_calendar_id}/non-business-days: every weekend day and holiday from beginDate
     * (default: the org's business date) to endDate (default and limit: a year after beginDate,
     * less a day, and no later than 9999-12-31), both included.
     */
    async nonBusinessDays(t: TenantTx, calendarId: bigint | undefined, q: NonBusinessDaysQuery): Promise<NonBusinessDays> {
      const begin = q.beginDate ?? (await t.dates.today());
      const lastAllowed = clampDate(addDays(addYears(begin, 1), -1));
      const end = q.endDate ?? lastAllowed;
      const since = q.beginDate === undefined ? ` (default: ${begin}, the business date today)` : '';
      if (end < begin) throw CalendarErrors.invalid([{ field: 'query.endDate', reason: `is before beginDate${since}` }]);
      if (end > lastAllowed) throw CalendarErrors.invalid([{ field: 'query.endDate', reason: `is more than a year after beginDate${since}: at most ${lastAllowed}` }]);
      const calendar = await mustFind(t, calendarId);
      const lin = { calendar, chain: await lineage(t, calendar) };
      const rows = await repo.holidaysBetween(t.db, t.orgId, lin.chain.map((c) => c.holiday_calendar_id), begin, end);
      const days = nonWorkingDays(begin, end, calendar.working_days, new Set(rows.map((r) => r.holiday_date)));
      return {
        dates: days.map((d) => {
          const metadata = d.is_holiday ? holidayOn(lin, rows, d.date)?.metadata : undefined;
          return { ...d, ...(metadata ? { holiday_metadata: metadata } : {}) };
        }),
        ...(calendar.metadata ? { holiday_calendar_metadata: calendar.metadata } : {}),
      };
    },
  };
}
