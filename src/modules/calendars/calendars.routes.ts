// HTTP routes of Pismo's holiday calendar API (/holidays-core/v1/holiday-calendar…). x-tenant is
// required, as Pismo requires it, and its absence answers EHLD0016. Permission group: `holidays`.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import { TenantHeaders, TenantIdempotentHeaders } from '../../platform/http/headers.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { int8Id } from '../../platform/wire.js';
import { CalendarErrors } from './calendars.errors.js';
import {
  AddedHoliday,
  AddHolidayBody,
  BusinessDay,
  BusinessDayBody,
  Calendar,
  CalendarListQuery,
  CalendarPage,
  CalendarParams,
  CreateCalendarBody,
  CreatedCalendar,
  ExternalIdParams,
  HolidayListQuery,
  HolidayPage,
  HolidayParams,
  NonBusinessDays,
  NonBusinessDaysQuery,
  UpdateCalendarBody,
  UpdateHolidayBody,
} from './calendars.schemas.js';
import type { CalendarsService } from './calendars.service.js';

const holidaysAuth = routeAuth.tenant('holidays', { tenantHeader: 'required', errors: { missingTenant: CalendarErrors.missingTenant } });

const NoContent = { 204: Type.Null() };

export function calendarsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, calendars: CalendarsService): void {
  const route = { config: { auth: holidaysAuth } };
  const tags = ['holidays'];
  const base = '/holidays-core/v1/holiday-calendar';
  /** The caller's org's tenant transaction, opened once for the request. */
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  app.post(
    base,
    {
      ...route,
      schema: { tags, summary: 'Create holiday calendar', headers: TenantIdempotentHeaders, body: CreateCalendarBody, response: { 201: CreatedCalendar } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => calendars.createCalendar(t, req.body, ctx)));
    },
  );
  app.get(
    base,
    { ...route, schema: { tags, summary: 'List holiday calendars', headers: TenantHeaders, querystring: CalendarListQuery, response: { 200: CalendarPage } } },
    async (req) => tenant(req, (t) => calendars.listCalendars(t, req.query)),
  );
  app.get(
    `${base}/:holiday_calendar_id`,
    { ...route, schema: { tags, summary: 'Get holiday calendar', headers: TenantHeaders, params: CalendarParams, response: { 200: Calendar } } },
    async (req) => tenant(req, (t) => calendars.getCalendar(t, int8Id(req.params.holiday_calendar_id))),
  );
  app.get(
    `${base}/external-id/:external_id`,
    { ...route, schema: { tags, summary: 'Get calendar by external ID', headers: TenantHeaders, params: ExternalIdParams, response: { 200: Calendar } } },
    async (req) => tenant(req, (t) => calendars.getCalendarByExternalId(t, req.params.external_id)),
  );
  app.patch(
    `${base}/:holiday_calendar_id`,
    {
      ...route,
      schema: { tags, summary: 'Update holiday calendar', headers: TenantHeaders, params: CalendarParams, body: UpdateCalendarBody, response: NoContent },
    },
    async (req, reply) => {
      await tenant(req, (t) => calendars.updateCalendar(t, int8Id(req.params.holiday_calendar_id), req.body));
      return reply.status(204).send(null);
    },
  );
  app.delete(
    `${base}/:holiday_calendar_id`,
    {
      ...route,
      schema: {
        tags,
        summary: 'Delete holiday calendar and its holidays (refused while a program or a child calendar uses it)',
        headers: TenantHeaders,
        params: CalendarParams,
        response: NoContent,
      },
    },
    async (req, reply) => {
      await tenant(req, (t) => calendars.deleteCalendar(t, int8Id(req.params.holiday_calendar_id)));
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/holiday`,
    { ...route, schema: { tags, summary: 'Add holiday', headers: TenantIdempotentHeaders, body: AddHolidayBody, response: { 201: AddedHoliday } } },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => calendars.addHoliday(t, req.body, ctx)));
    },
  );
  app.get(
    `${base}/:holiday_calendar_id/holiday`,
    {
      ...route,
      schema: { tags, summary: 'List holidays', headers: TenantHeaders, params: CalendarParams, querystring: HolidayListQuery, response: { 200: HolidayPage } },
    },
    async (req) => tenant(req, (t) => calendars.listHolidays(t, int8Id(req.params.holiday_calendar_id), req.query)),
  );
  app.patch(
    `${base}/:holiday_calendar_id/holiday/:holiday_id`,
    {
      ...route,
      schema: { tags, summary: 'Update holiday', headers: TenantHeaders, params: HolidayParams, body: UpdateHolidayBody, response: NoContent },
    },
    async (req, reply) => {
      await tenant(req, (t) => calendars.updateHoliday(t, int8Id(req.params.holiday_calendar_id), int8Id(req.params.holiday_id), req.body.name));
      return reply.status(204).send(null);
    },
  );
  app.delete(
    `${base}/:holiday_calendar_id/holiday/:holiday_id`,
    { ...route, schema: { tags, summary: 'Delete holiday', headers: TenantHeaders, params: HolidayParams, response: NoContent } },
    async (req, reply) => {
      await tenant(req, (t) => calendars.deleteHoliday(t, int8Id(req.params.holiday_calendar_id), int8Id(req.params.holiday_id)));
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/:holiday_calendar_id/business-day`,
    {
      ...route,
      schema: {
        tags,
        summary: 'Get business day: is a date a holiday or a weekend, and the business days before and after it',
        headers: TenantHeaders,
        params: CalendarParams,
        body: BusinessDayBody,
        response: { 200: BusinessDay },
      },
    },
    async (req) => tenant(req, (t) => calendars.businessDay(t, int8Id(req.params.holiday_calendar_id), req.body.current_date)),
  );
  app.get(
    `${base}/:holiday_calendar_id/non-business-days`,
    {
      ...route,
      schema: {
        tags,
        summary: 'Get non-business days: the weekend days and holidays of a date range (at most a year)',
        headers: TenantHeaders,
        params: CalendarParams,
        querystring: NonBusinessDaysQuery,
        response: { 200: NonBusinessDays },
      },
    },
    async (req) => tenant(req, (t) => calendars.nonBusinessDays(t, int8Id(req.params.holiday_calendar_id), req.query)),
  );
}
