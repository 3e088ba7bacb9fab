// Holiday calendars and their holidays, per org. Programs and orgs name a calendar; due dates and
// business days are computed from it (and from its ancestors, whose holidays it inherits).
import { violates, type Tx } from '../../platform/db/database.js';
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
/** A stored or requested value in one comparable form (ids are bigint in rows, numbers in bodies). */
const comparable = (v: unknown): string => (v === null || v === undefined ? 'null' : typeof v === 'bigint' ? v.toString() : JSON.stringify(v));
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

/** The calendar and its ancestors, nearest first. */
async function lineage(tx: Tx, orgId: string, calendar: repo.CalendarRow): Promise<repo.CalendarRow[]> {
  const chain = [calendar];
  let parent = calendar.parent_id;
  while (parent !== null && chain.length < MAX_DEPTH) {
    const row = await repo.findCalendar(tx, orgId, parent);
    if (!row) break;
    chain.push(row);
    parent = row.parent_id;
  }
  return chain;
}

/**
 * A calendar named by a program or an org: its numeric id or its external_id. Undefined when the
 * org has no such calendar.
 */
export async function resolveCalendarRef(tx: Tx, orgId: string, ref: string): Promise<repo.CalendarRow | undefined> {
  if (/^[0-9]{1,18}$/.test(ref)) {
    const byId = await repo.findCalendar(tx, orgId, BigInt(ref));
    if (byId) return byId;
  }
  return repo.findCalendarByExternalId(tx, orgId, ref);
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

  async function mustFind(tx: Tx, orgId: string, id: bigint): Promise<repo.CalendarRow> {
    const row = await repo.findCalendar(tx, orgId, id);
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

  /** A parent given by id or external id must exist; a calendar cannot become its own ancestor. */
  async function resolveParent(tx: Tx, orgId: string, parentId?: number, parentExternalId?: string, self?: bigint) {
    if (parentId === undefined && parentExternalId === undefined) return undefined;
    const parent =
      parentId !== undefined ? await repo.findCalendar(tx, orgId, BigInt(parentId)) : await repo.findCalendarByExternalId(tx, orgId, parentExternalId!);
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
      if (body.parent_id !== undefined && body.parent_external_id !== undefined) {
        throw HolidayErrors.invalid([{ field: 'body.parent_external_id', reason: 'give parent_id or parent_external_id, not both' }]);
      }
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
            working_days: [...(body.working_days ?? DEFAULT_WORKING_DAYS)].sort(),
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
      }, { orgId });
    },

    async getCalendar(orgId: string, id: number): Promise<Calendar> {
      return toCalendar(await db.transaction((tx) => mustFind(tx, orgId, BigInt(id)), { orgId }));
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

    /** Changes the given fields; emits Holiday calendar updated when something changed. */
    async updateCalendar(orgId: string, id: number, body: UpdateCalendarBody, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const before = await mustFind(tx, orgId, BigInt(id));
        await assertNoClash(tx, orgId, body.name, body.external_id, before.holiday_calendar_id);
        const parent = await resolveParent(tx, orgId, body.parent_id, undefined, before.holiday_calendar_id);
        const changes = {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.type !== undefined ? { type: body.type } : {}),
          ...(body.external_id !== undefined ? { external_id: body.external_id } : {}),
          ...(parent ? { parent_id: parent.holiday_calendar_id } : {}),
          ...(body.metadata !== undefined ? { metadata: JSON.stringify(body.metadata) } : {}),
          ...(body.working_days !== undefined ? { working_days: [...body.working_days].sort() } : {}),
        };
        const changed = Object.keys(body).filter((k) => comparable((before as Record<string, unknown>)[k]) !== comparable((body as Record<string, unknown>)[k]));
        const after = await repo.updateCalendar(tx, orgId, before.holiday_calendar_id, { ...changes, updated_at: clock.now() });
        if (changed.length) {
          await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
            orgId,
            cid: ctx.cid,
            data: calendarEvent(after, { change: 'CALENDAR_UPDATED', changed_fields: changed }),
          });
        }
      }, { orgId });
    },

    /** Deletes a calendar and its holidays, unless a program, the org or a child calendar uses it. */
    async deleteCalendar(orgId: string, id: number, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, BigInt(id));
        if (await calendarUsedByProgram(tx, orgId, cal.holiday_calendar_id)) throw HolidayErrors.calendarInUse('a program');
        if (await repo.hasChildren(tx, orgId, cal.holiday_calendar_id)) throw HolidayErrors.calendarInUse('a child calendar');
        await repo.deleteCalendar(tx, orgId, cal.holiday_calendar_id);
        await recordEvent(tx, events, ProgramEvents.calendarDeleted, { orgId, cid: ctx.cid, data: calendarEvent(cal) });
      }, { orgId }).catch((err: unknown) => {
        // The org's own holiday_calendar_id (a foreign key from orgs).
        if (violates(err, 'orgs_holiday_calendar_fk')) throw HolidayErrors.calendarInUse('the org');
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
              ? await mustFind(tx, orgId, BigInt(body.holiday_calendar_id))
              : await repo.findCalendarByExternalId(tx, orgId, body.external_id!);
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
      }, { orgId });
    },

    async listHolidays(orgId: string, calendarId: number, q: HolidayListQuery) {
      if (q.beginDate && q.endDate && q.endDate < q.beginDate) {
        throw HolidayErrors.invalid([{ field: 'query.endDate', reason: 'is before beginDate' }]);
      }
      const page = q.page ?? 1;
      const perPage = q.perPage ?? 10;
      const { rows, total } = await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, BigInt(calendarId));
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
    async updateHoliday(orgId: string, calendarId: number, holidayId: number, name: string, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, BigInt(calendarId));
        const h = await repo.findHoliday(tx, orgId, cal.holiday_calendar_id, BigInt(holidayId));
        if (!h) throw HolidayErrors.holidayNotFound();
        if (h.name === name) return;
        await repo.updateHoliday(tx, orgId, h.holiday_id, { name, updated_at: clock.now() });
        await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
          orgId,
          cid: ctx.cid,
          data: calendarEvent(cal, { change: 'HOLIDAY_UPDATED', changed_fields: ['name'], holiday_id: holidayId, holiday_date: h.holiday_date }),
        });
      }, { orgId });
    },

    /** Deletes a holiday; emits Holiday calendar updated. */
    async deleteHoliday(orgId: string, calendarId: number, holidayId: number, ctx: RequestContext): Promise<void> {
      await db.transaction(async (tx) => {
        const cal = await mustFind(tx, orgId, BigInt(calendarId));
        const h = await repo.findHoliday(tx, orgId, cal.holiday_calendar_id, BigInt(holidayId));
        if (!h) throw HolidayErrors.holidayNotFound();
        await repo.deleteHoliday(tx, orgId, h.holiday_id);
        await recordEvent(tx, events, ProgramEvents.calendarUpdated, {
          orgId,
          cid: ctx.cid,
          data: calendarEvent(cal, { change: 'HOLIDAY_DELETED', holiday_id: holidayId, holiday_date: h.holiday_date }),
        });
      }, { orgId });
    },
  };
}
