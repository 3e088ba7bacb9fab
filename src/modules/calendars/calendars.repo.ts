// SQL for holiday calendars and their holidays. Every function takes the transaction and the org
// id, and filters on it.
import { sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import { calendarsChanged } from './calendars.cache.js';
import { offsetPage } from '../../platform/db/paging.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import type { PageRequest } from '../../platform/paging.js';

export interface HolidayCalendarsTable {
  org_id: string;
  holiday_calendar_id: Generated<bigint>;
  name: string;
  type: string;
  external_id: string | null;
  parent_id: bigint | null;
  metadata: Json<Record<string, unknown>> | null;
  working_days: number[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface HolidaysTable {
  org_id: string;
  holiday_id: Generated<bigint>;
  holiday_calendar_id: bigint;
  holiday_date: string;
  name: string;
  description: string | null;
  metadata: Json<Record<string, unknown>> | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    holiday_calendars: HolidayCalendarsTable;
    holidays: HolidaysTable;
  }
}

export type CalendarRow = Selectable<HolidayCalendarsTable>;
export type HolidayRow = Selectable<HolidaysTable>;

export const insertCalendar = (tx: Tx, row: Insertable<HolidayCalendarsTable>) =>
  calendarsChanged(tx, row.org_id)
    .insertInto('holiday_calendars').values(row).returningAll().executeTakeFirstOrThrow();

/**
 * Row locks a lookup may take: `update` before a calendar is changed or deleted; `keyShare` while
 * a program, a holiday or a child comes to reference it (a delete then waits for that transaction).
 */
export type CalendarLock = 'update' | 'keyShare';

const calendarQuery = (tx: Tx, orgId: string, lock?: CalendarLock) => {
  const q = tx.selectFrom('holiday_calendars').selectAll().where('org_id', '=', orgId);
  return lock === 'update' ? q.forUpdate() : lock === 'keyShare' ? q.forKeyShare() : q;
};

export const findCalendar = (tx: Tx, orgId: string, calendarId: bigint, lock?: CalendarLock) =>
  calendarQuery(tx, orgId, lock).where('holiday_calendar_id', '=', calendarId).executeTakeFirst();

export const findCalendarByExternalId = (tx: Tx, orgId: string, externalId: string, lock?: CalendarLock) =>
  calendarQuery(tx, orgId, lock).where('external_id', '=', externalId).executeTakeFirst();

/** The calendar and its ancestors, nearest first, at most `max` of them: one recursive query. */
export const lineage = async (tx: Tx, orgId: string, calendarId: bigint, max: number): Promise<CalendarRow[]> =>
  (
    await sql<CalendarRow & { depth: number }>`
      with recursive chain as (
        select c.*, 1 as depth from holiday_calendars c where c.org_id = ${orgId} and c.holiday_calendar_id = ${calendarId}
        union all
        select p.*, chain.depth + 1 from chain
        join holiday_calendars p on p.org_id = chain.org_id and p.holiday_calendar_id = chain.parent_id
        where chain.depth < ${max}
      )
      select * from chain order by depth`.execute(tx)
  ).rows.map(({ depth: _depth, ...row }) => row);

/**
 * Serialises changes to the org's calendar tree (a new parent, a delete) for the rest of the
 * transaction, so two concurrent changes cannot each pass the loop check and together make one.
 */
export const lockCalendarTree = async (tx: Tx, orgId: string): Promise<void> => {
  await sql`select pg_advisory_xact_lock(hashtext(${orgId} || ':calendars'))`.execute(tx);
};

/** A calendar with this name or external id, other than `except`. */
export const findClash = (tx: Tx, orgId: string, name: string | undefined, externalId: string | undefined, except?: bigint) => {
  let q = tx
    .selectFrom('holiday_calendars')
    .select(['holiday_calendar_id', 'name', 'external_id'])
    .where('org_id', '=', orgId)
    .where((eb) =>
      eb.or([
        ...(name !== undefined ? [eb('name', '=', name)] : []),
        ...(externalId !== undefined ? [eb('external_id', '=', externalId)] : []),
        eb.lit(false),
      ]),
    );
  if (except !== undefined) q = q.where('holiday_calendar_id', '!=', except);
  return q.executeTakeFirst();
};

export const updateCalendar = (tx: Tx, orgId: string, calendarId: bigint, changes: Updateable<HolidayCalendarsTable>) =>
  calendarsChanged(tx, orgId)
    .updateTable('holiday_calendars')
    .set(changes)
    .where('org_id', '=', orgId)
    .where('holiday_calendar_id', '=', calendarId)
    .returningAll()
    .executeTakeFirstOrThrow();

export const deleteCalendar = (tx: Tx, orgId: string, calendarId: bigint) =>
  calendarsChanged(tx, orgId).deleteFrom('holiday_calendars').where('org_id', '=', orgId).where('holiday_calendar_id', '=', calendarId).execute();

/**
 * Whether `err` is a foreign-key violation: a delete of a calendar that a row of another module
 * (a program, the org) still names. Calendars do not know those constraints by name; whoever
 * declares one decodes it.
 */
export const isForeignKeyViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23503';

export const hasChildren = async (tx: Tx, orgId: string, calendarId: bigint): Promise<boolean> =>
  (await tx.selectFrom('holiday_calendars').select('holiday_calendar_id').where('org_id', '=', orgId).where('parent_id', '=', calendarId).executeTakeFirst()) !==
  undefined;

export interface CalendarFilter {
  id?: bigint;
  ids?: bigint[];
  name?: string;
  type?: string;
  externalId?: string;
  parentId?: bigint;
}

export async function listCalendars(
  tx: Tx,
  orgId: string,
  filter: CalendarFilter,
  sort: { by: 'name' | 'type'; order: 'asc' | 'desc' },
  page: PageRequest,
): Promise<{ rows: CalendarRow[]; total: number }> {
  let q = tx.selectFrom('holiday_calendars').where('org_id', '=', orgId);
  if (filter.id !== undefined) q = q.where('holiday_calendar_id', '=', filter.id);
  if (filter.ids !== undefined) q = q.where('holiday_calendar_id', 'in', filter.ids.length ? filter.ids : [-1n]);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  if (filter.type !== undefined) q = q.where('type', '=', filter.type);
  if (filter.externalId !== undefined) q = q.where('external_id', '=', filter.externalId);
  if (filter.parentId !== undefined) q = q.where('parent_id', '=', filter.parentId);
  return offsetPage(q, q.selectAll().orderBy(sort.by, sort.order).orderBy('holiday_calendar_id', sort.order), page);
}

export const insertHolidays = (tx: Tx, rows: Insertable<HolidaysTable>[]) =>
  rows.length ? calendarsChanged(tx, rows[0]!.org_id).insertInto('holidays').values(rows).returningAll().execute() : Promise.resolve([] as HolidayRow[]);

export const findHoliday = (tx: Tx, orgId: string, calendarId: bigint, holidayId: bigint) =>
  tx
    .selectFrom('holidays')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('holiday_calendar_id', '=', calendarId)
    .where('holiday_id', '=', holidayId)
    .executeTakeFirst();

export const findHolidayOnDate = (tx: Tx, orgId: string, calendarId: bigint, date: string) =>
  tx
    .selectFrom('holidays')
    .select('holiday_id')
    .where('org_id', '=', orgId)
    .where('holiday_calendar_id', '=', calendarId)
    .where('holiday_date', '=', date)
    .executeTakeFirst();

export const updateHoliday = (tx: Tx, orgId: string, holidayId: bigint, changes: Updateable<HolidaysTable>) =>
  calendarsChanged(tx, orgId).updateTable('holidays').set(changes).where('org_id', '=', orgId).where('holiday_id', '=', holidayId).execute();

export const deleteHoliday = (tx: Tx, orgId: string, holidayId: bigint) =>
  calendarsChanged(tx, orgId).deleteFrom('holidays').where('org_id', '=', orgId).where('holiday_id', '=', holidayId).execute();

/** Holidays of these calendars from `from` to `to` (both included), by date. */
export const holidaysBetween = (tx: Tx, orgId: string, calendarIds: bigint[], from: string, to: string) =>
  tx
    .selectFrom('holidays')
    .select(['holiday_date', 'holiday_calendar_id', 'name', 'description', 'metadata'])
    .where('org_id', '=', orgId)
    .where('holiday_calendar_id', 'in', calendarIds.length ? calendarIds : [-1n])
    .where('holiday_date', '>=', from)
    .where('holiday_date', '<=', to)
    .orderBy('holiday_date')
    .execute();
export type HolidayOnDate = Awaited<ReturnType<typeof holidaysBetween>>[number];

/** Every holiday of these calendars, by date, at most `max` of them. */
export const holidaysOf = (tx: Tx, orgId: string, calendarIds: bigint[], max: number): Promise<HolidayOnDate[]> =>
  tx
    .selectFrom('holidays')
    .select(['holiday_date', 'holiday_calendar_id', 'name', 'description', 'metadata'])
    .where('org_id', '=', orgId)
    .where('holiday_calendar_id', 'in', calendarIds.length ? calendarIds : [-1n])
    .orderBy('holiday_date')
    .limit(max)
    .execute();

export interface HolidayFilter {
  name?: string;
  beginDate?: string;
  endDate?: string;
}

export async function listHolidays(
  tx: Tx,
  orgId: string,
  calendarIds: bigint[],
  filter: HolidayFilter,
  sort: { by: 'ID' | 'NAME'; order: 'ASC' | 'DESC' },
  page: PageRequest,
): Promise<{ rows: (HolidayRow & { calendar_name: string })[]; total: number }> {
  let q = tx
    .selectFrom('holidays as h')
    .innerJoin('holiday_calendars as c', (j) => j.onRef('c.org_id', '=', 'h.org_id').onRef('c.holiday_calendar_id', '=', 'h.holiday_calendar_id'))
    .where('h.org_id', '=', orgId)
    .where('h.holiday_calendar_id', 'in', calendarIds);
  if (filter.name !== undefined) q = q.where('h.name', '=', filter.name);
  if (filter.beginDate !== undefined) q = q.where('h.holiday_date', '>=', filter.beginDate);
  if (filter.endDate !== undefined) q = q.where('h.holiday_date', '<=', filter.endDate);
  const dir = sort.order === 'DESC' ? 'desc' : 'asc';
  let rows = q.selectAll('h').select('c.name as calendar_name');
  if (sort.by === 'NAME') rows = rows.orderBy('h.name', dir);
  return offsetPage(q, rows.orderBy('h.holiday_id', dir), page);
}
