// Holiday calendars and their holidays, per org. Programs and orgs name a calendar; due dates and
// business days are computed from it (and from its ancestors, whose holidays it inherits).
import { violates, type Tx } from '../../platform/db/database.js';
import type { FieldIssue } from '../../platform/errors.js';
import { maybeIdempotent } from '../../platform/idempotency.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import { nextWorkingDate } from './holidays.dates.js';
import * as repo from './holidays.repo.js';
import type {
  AddedHoliday,
  AddHolidayBody,
  Calendar,
  CalendarListQuery,
  CreateCalendarBody,
  CreatedCalendar,
  Holiday,
  HolidayListQuery,
  UpdateCalendarBody,
} from './holidays.schemas.js';
import { HolidayErrors } from './programs.errors.js';
import { pageOf } from './programs.schemas.js';
import { ProgramEvents, type CalendarEventData } from './programs.events.js';
import { calendarUsedByProgram } from './programs.repo.js';
import type { RequestContext } from './programs.service.js';

const DEFAULT_WORKING_DAYS = [1, 2, 3, 4, 5];
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
const sortDays = (days: readonly number[]) => [...days].sort((a, b) => a - b);
/** The largest id PostgreSQL's bigint holds. */
const INT8_MAX = 9223372036854775807n;

/**
 * An id given as a string of digits (a path parameter), or undefined when no row can have it
 * (zero, or beyond bigint): callers answer that with their 404.
 */
export function int8Id(value: string): bigint | undefined {
  if (!/^[0-9]{1,19}$/.test(value)) return undefined;
  const id = BigInt(value);
  return id >= 1n && id <= INT8_MAX ? id : undefined;
}

/** An external_id of digits only would read as a calendar id wherever a program names its calendar. */
export const externalIdIssue = (field: string, value: string | undefined): FieldIssue[] =>
  value !== undefined && /^[0-9]+$/.test(value) ? [{ field, reason: 'must not be all digits (a number names a calendar by its id)' }] : [];
/** Timestamps as yyyy-mm-ddThh:mm:ssZ. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const toCalendar = (r: repo.CalendarRow): Calendar => ({
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
const lineage = (tx: Tx, orgId: string, calendar: repo.CalendarRow): Promise<repo.CalendarRow[]> =>
  repo.lineage(tx, orgId, calendar.holiday_calendar_id, MAX_DEPTH);

/**
 * A calendar named by a program or an org: digits name it by its id, anything else by its
 * external_id (which is never all digits, so a reference has one meaning). Undefined when the org
 * has no such calendar. The row is locked FOR KEY SHARE: a concurrent delete of the calendar waits
 * until the caller's transaction, which is about to reference it, ends.
 */
export async function resolveCalendarRef(tx: Tx, orgId: string, ref: string): Promise<repo.CalendarRow | undefined> {
  if (/^[0-9]+$/.test(ref)) {
    const id = int8Id(ref);
    return id === undefined ? undefined : repo.findCalendar(tx, orgId, id, 'keyShare');
  }
  return repo.findCalendarByExternalId(tx, orgId, ref, 'keyShare');
}

/** Unique and foreign-key violations a concurrent request can cause, as the 409 or 404 they mean. */
function mapCalendarConflict(err: unknown, names: { name?: string | undefined; externalId?: string | undefined }): never {
  if (violates(err, 'holiday_calendars_name')) throw HolidayErrors.calendarExists(`name "${names.name ?? ''}"`);
  if (violates(err, 'holiday_calendars_external_id')) throw HolidayErrors.calendarExists(`external_id "${names.externalId ?? ''}"`);
  if (violates(err, 'holiday_calendars_parent_fk')) throw HolidayErrors.parentNotFound();
  throw err;
}

export type HolidaysService = ReturnType<typeof createHolidaysService>;

export function createHolidaysService(p: Platform) {
  const { db, clock } = p;
  const events = { clock, ids: p.ids };

  const calendarEvent = (r: repo.CalendarRow, extra: Partial<CalendarEventData> = {}): CalendarEventData => ({
    org_id: r.org_id,
    holiday_calendar_id: Number(r.holiday_calendar_id),
    name: r.name,
    ...(r.external_id ? { external_id: r.external_id } : {}),
    ...extra,
  });

  async function mustFind(tx: Tx, orgId: string, id: bigint | undefined, lock?: repo.CalendarLock): Promise<repo.CalendarRow> {
    const row = id === undefined ? undefined : await repo.findCalendar(tx, orgId, id, lock);
    if (!row) throw HolidayErrors.calendarNotFound();
    return row;
  }

  /** Working date of each given holiday date, from the calendar's (and ancestors') holidays. */
  async function workingDates(tx: Tx, orgId: string, calendar: repo.CalendarRow, dates: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!dates.length) return out;
    const chain = await lineage(tx, orgId, calendar);
    const from = [...dates].sort()[0]!;
    const holidays = new Set(await repo.holidayDates(tx, orgId, chain.map((c) => c.holiday_calendar_id), from));
    for (const d of dates) out.set(d, nextWorkingDate(d, calendar.working_days, holidays));
    return out;
  }

  /**
   * A parent given by id or external id must exist; a calendar cannot become its own ancestor.
   * Takes the org's calendar-tree lock first, so the loop check holds until the transaction ends.
   */
  async function resolveParent(tx: Tx, orgId: string, parentId?: number, parentExternalId?: string, self?: bigint) {
    if (parentId === undefined && parentExternalId === undefined) return undefined;
    await repo.lockCalendarTree(tx, orgId);
    const parent =
      parentId !== undefined
        ? await repo.findCalendar(tx, orgId, BigInt(parentId), 'keyShare')
        : await repo.findCalendarByExternalId(tx, orgId, parentExternalId!, 'keyShare');
    if (!parent || (parentExternalId !== undefined && parent.external_id !== parentExternalId)) throw HolidayErrors.parentNotFound();
    const chain = await lineage(tx, orgId, parent);
    if (chain.length >= MAX_DEPTH) throw HolidayErrors.invalid([{ field: 'body.parent_id', reason: `makes a chain deeper than ${MAX_DEPTH} calendars` }]);
    if (self !== undefined && chain.some((c) => c.holiday_calendar_id === self)) {
      throw HolidayErrors.invalid([{ field: 'body.parent_id', reason: 'would make the calendar its own ancestor' }]);
    }
    return parent;
  }

  async function assertNoClash(tx: Tx, orgId: string, name?: string, externalId?: string, except?: bigint) {
    const clash = await repo.findClash(tx, orgId, name, externalId, except);
    if (clash) throw HolidayErrors.calendarExists(clash.name === name ? `name "${name}"` : `external_id "${externalId}"`);
  }

  return {
    /** Creates a calendar with its holidays; emits Holiday calendar created. */
    async createCalendar(orgId: string, body: CreateCalendarBody, ctx: RequestContext): Promise<CreatedCalendar> {
      const dates = (body.holidays ?? []).map((h) => h.holiday_date);
      const dup = dates.findIndex((d, i) => dates.indexOf(d) !== i);
      if (dup >= 0) throw HolidayErrors.invalid([{ field: `body.holidays[${dup}].holiday_date`, reason: `repeats ${dates[dup]}` }]);
      const issues = externalIdIssue('body.external_id', body.external_id);
      if (body.parent_id !== undefined && body.parent_external_id !== undefined) {
        issues.push({ field: 'body.parent_external_id', reason: 'give parent_id or parent_external_id, not both' });
      }
      if (issues.length) throw HolidayErrors.invalid(issues);
      return db.transaction(async (tx) => {
        const once = { orgId, key: ctx.idempotencyKey, operation: 'POST /holidays-core/v1/holiday-calendar', payload: body };
        const res = await maybeIdempotent(tx, clock, once, async () => {
          await assertNoClash(tx, orgId, body.name, body.external_id);
          const parent = await resolveParent(tx, orgId, body.parent_id, body.parent_external_id);
          const now = clock.now();
          const cal = await repo.insertCalendar(tx, {
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
            tx,
            (body.holidays ?? []).map((h) => holidayRow(orgId, cal.holiday_calendar_id, h, now)),
          );
          const working = await workingDates(tx, orgId, cal, dates);
          await recordEvent(tx, events, ProgramEvents.calendarCreated, { orgId, cid: ctx.cid, data: calendarEvent(cal) });
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
      }, { orgId }).catch((err: unknown) => mapCalendarConflict(err, { name: body.name, externalId: body.external_id }));
    },

    async getCalendar(orgId: string, id: bigint | undefined): Promise<Calendar> {
      return toCalendar(await db.transaction((tx) => mustFind(tx, orgId, id), { orgId }));
    },

    async getCalendarByExternalId(orgId: string, externalId: string): Promise<Calendar> {
      const row = await db.transaction((tx) => repo.findCalendarByExternalId(tx, orgId, externalId), { orgId });
      if (!row) throw HolidayErrors.calendarNotFound();
      return toCalendar(row);
    },

    async listCalendars(orgId: string, q: CalendarListQuery) {
      const page = q.page ?? 1;
      const perPage = q.perPage ?? 10;
      const { rows, total } = await db.transaction(async (tx) => {
        const filter: repo.CalendarFilter = {
          ...(q.name !== undefined ? { name: q.name } : {}),
          ...(q.type !== undefined ? { type: q.type } : {}),
          ...(q.parent_id !== undefined ? { parentId: BigInt(q.parent_id) } : {}),
        };
        if (q.relation) {
          // The relation is taken from the calendar named by id or external id.
          const anchor =
            q.holiday_calendar_id !== undefined
              ? await repo.findCalendar(tx, orgId, BigInt(q.holiday_calendar_id))
              : q.external_id !== undefined
                ? await repo.findCalendarByExternalId(tx, orgId, q.external_id)
                : undefined;
          if (q.holiday_calendar_id === undefined && q.external_id === undefined) {
            throw HolidayErrors.invalid([{ field: 'query.relation', reason: 'needs holiday_calendar_id or external_id' }]);
          }
          if (!anchor) filter.ids = [];
          else if (q.relation === 'children') filter.parentId = anchor.holiday_calendar_id;
          else filter.ids = (await lineage(tx, orgId, anchor)).slice(1).map((c) => c.holiday_calendar_id);
        } else {
          if (q.holiday_calendar_id !== undefined) filter.id = BigInt(q.holiday_calendar_id);
          if (q.external_id !== undefined) filter.externalId = q.external_id;
        }
        return repo.listCalendars(tx, orgId, filter, { by: q.sort_by ?? 'name', order: q.sort_order ?? 'asc' }, page, perPage);
      }, { orgId });
      return pageOf(page, perPage, total, rows.map(toCalendar));
    },

    /**
     * Changes the given fields; writes nothing and emits nothing when they already hold those
     * values, and emits Holiday calendar updated otherwise.
     */
    async updateCalendar(orgId: string, id: bigint | undefined, body: UpdateCalendarBody, ctx: RequestContext): Promise<void> {
      const issues = externalIdIssue('body.external_id', body.external_id);
      if (issues.length) throw HolidayErrors.invalid(issues);
      await db.transaction(async (tx) => {
        // The tree lock (taken when a parent is given) comes before the row lock, as in delete.
        if (body.parent_id !== undefined) await repo.lockCalendarTree(tx, orgId);
        const before = await mustFind(tx, orgId, id, 'update');
        await assertNoClash(tx, orgId, body.name, body.external_id, before.holiday_calendar_id);
        const parent = await resolveParent(tx, orgId, body.parent_id, undefined, before.holiday_calendar_id);
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
        const after = await repo.updateCalendar(tx, orgId, before.holiday_calendar_id, { ...changes, updated_at: clock.now() });
        await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
          orgId,
          cid: ctx.cid,
          data: calendarEvent(after, { change: 'CALENDAR_UPDATED', changed_fields: changed }),
        });
      }, { orgId }).catch((err: unknown) => mapCalendarConflict(err, { name: body.name, externalId: body.external_id }));
    },

    /** Deletes a calendar and its holidays, unless a program, the org or a child calendar uses it. */
    async deleteCalendar(orgId: string, id: bigint | undefined, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        // Tree lock, then the row: a child being attached, or a program or holiday being written
        // against the calendar (FOR KEY SHARE), finishes first, and the checks below see it.
        await repo.lockCalendarTree(tx, orgId);
        const cal = await mustFind(tx, orgId, id, 'update');
        if (await calendarUsedByProgram(tx, orgId, cal.holiday_calendar_id)) throw HolidayErrors.calendarInUse('a program');
        if (await repo.hasChildren(tx, orgId, cal.holiday_calendar_id)) throw HolidayErrors.calendarInUse('a child calendar');
        await repo.deleteCalendar(tx, orgId, cal.holiday_calendar_id);
        await recordEvent(tx, events, ProgramEvents.calendarDeleted, { orgId, cid: ctx.cid, data: calendarEvent(cal) });
      }, { orgId }).catch((err: unknown) => {
        // The org's own holiday_calendar_id (a foreign key from orgs), and the last line behind the
        // locks for programs and child calendars.
        if (violates(err, 'orgs_holiday_calendar_fk')) throw HolidayErrors.calendarInUse('the org');
        if (violates(err, 'programs_holiday_calendar_fk')) throw HolidayErrors.calendarInUse('a program');
        if (violates(err, 'holiday_calendars_parent_fk')) throw HolidayErrors.calendarInUse('a child calendar');
        throw err;
      });
    },

    /** Adds a holiday to a calendar named by id or external id; emits Holiday calendar updated. */
    async addHoliday(orgId: string, body: AddHolidayBody, ctx: RequestContext): Promise<AddedHoliday> {
      if ((body.holiday_calendar_id === undefined) === (body.external_id === undefined)) throw HolidayErrors.missingCalendarRef();
      return db.transaction(async (tx) => {
        const once = { orgId, key: ctx.idempotencyKey, operation: 'POST /holidays-core/v1/holiday-calendar/holiday', payload: body };
        const res = await maybeIdempotent(tx, clock, once, async () => {
          const cal =
            body.holiday_calendar_id !== undefined
              ? await mustFind(tx, orgId, BigInt(body.holiday_calendar_id), 'keyShare')
              : await repo.findCalendarByExternalId(tx, orgId, body.external_id!, 'keyShare');
          if (!cal) throw HolidayErrors.calendarNotFound();
          if (await repo.findHolidayOnDate(tx, orgId, cal.holiday_calendar_id, body.holiday_date)) throw HolidayErrors.holidayExists(body.holiday_date);
          const now = clock.now();
          const [h] = await repo.insertHolidays(tx, [holidayRow(orgId, cal.holiday_calendar_id, body, now)]);
          const working = await workingDates(tx, orgId, cal, [body.holiday_date]);
          await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
            orgId,
            cid: ctx.cid,
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
      }, { orgId }).catch((err: unknown) => {
        // Two requests adding the same date at once: the second meets the unique index.
        if (violates(err, 'holidays_one_per_date')) throw HolidayErrors.holidayExists(body.holiday_date);
        if (violates(err, 'holidays_calendar_fk')) throw HolidayErrors.calendarNotFound();
        throw err;
      });
    },

    async listHolidays(orgId: string, calendarId: bigint | undefined, q: HolidayListQuery) {
      if (q.beginDate && q.endDate && q.endDate < q.beginDate) {
        throw HolidayErrors.invalid([{ field: 'query.endDate', reason: 'is before beginDate' }]);
      }
      const page = q.page ?? 1;
      const perPage = q.perPage ?? 10;
      const { rows, total } = await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, calendarId);
        const ids = q.include_parent_holidays ? (await lineage(tx, orgId, cal)).map((c) => c.holiday_calendar_id) : [cal.holiday_calendar_id];
        const filter = {
          ...(q.name !== undefined ? { name: q.name } : {}),
          ...(q.beginDate !== undefined ? { beginDate: q.beginDate } : {}),
          ...(q.endDate !== undefined ? { endDate: q.endDate } : {}),
        };
        return repo.listHolidays(tx, orgId, ids, filter, { by: q.orderBy ?? 'ID', order: q.order ?? 'ASC' }, page, perPage);
      }, { orgId });
      return pageOf(page, perPage, total, rows.map(toHoliday));
    },

    /** Renames a holiday; emits Holiday calendar updated. */
    async updateHoliday(orgId: string, calendarId: bigint | undefined, holidayId: bigint | undefined, name: string, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, calendarId);
        const h = holidayId === undefined ? undefined : await repo.findHoliday(tx, orgId, cal.holiday_calendar_id, holidayId);
        if (!h) throw HolidayErrors.holidayNotFound();
        if (h.name === name) return;
        await repo.updateHoliday(tx, orgId, h.holiday_id, { name, updated_at: clock.now() });
        await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
          orgId,
          cid: ctx.cid,
          data: calendarEvent(cal, { change: 'HOLIDAY_UPDATED', changed_fields: ['name'], holiday_id: Number(h.holiday_id), holiday_date: h.holiday_date }),
        });
      }, { orgId });
    },

    /** Deletes a holiday; emits Holiday calendar updated. */
    async deleteHoliday(orgId: string, calendarId: bigint | undefined, holidayId: bigint | undefined, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, calendarId);
        const h = holidayId === undefined ? undefined : await repo.findHoliday(tx, orgId, cal.holiday_calendar_id, holidayId);
        if (!h) throw HolidayErrors.holidayNotFound();
        await repo.deleteHoliday(tx, orgId, h.holiday_id);
        await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
          orgId,
          cid: ctx.cid,
          data: calendarEvent(cal, { change: 'HOLIDAY_DELETED', holiday_id: Number(h.holiday_id), holiday_date: h.holiday_date }),
        });
      }, { orgId });
    },
  };
}
