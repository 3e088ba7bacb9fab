// HTTP routes of Pismo's Programs API (/programs/…) and holiday calendar API
// (/holidays-core/v1/holiday-calendar…). Both require x-tenant, as Pismo does, and answer its
// absence with each API's own code. Permission groups: `programs` and `holidays`.
import { Type } from 'typebox';
import { callerOf, routeAuth } from '../../platform/auth/guard.js';
import { idempotencyKeyOf } from '../../platform/idempotency.js';
import type { HttpApp } from '../../platform/module.js';
import {
  AddedHoliday,
  AddHolidayBody,
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
  UpdateCalendarBody,
  UpdateHolidayBody,
} from './holidays.schemas.js';
import { int8Id, type HolidaysService } from './holidays.service.js';
import { HolidayErrors, ProgramErrors } from './programs.errors.js';
import {
  CopyProgram,
  ImportIdParams,
  Program,
  ProgramCopyV2Response,
  ProgramDetails,
  ProgramFromTemplate,
  ProgramIdParams,
  ProgramImportWithSteps,
  ProgramListQuery,
  ProgramPage,
  ProgramPatch,
  ProgramResponse,
  ProgramTemplateV2Response,
} from './programs.schemas.js';
import type { ProgramsService } from './programs.service.js';

const programsAuth = routeAuth.tenant('programs', { tenantHeader: 'required', errors: { missingTenant: ProgramErrors.missingTenant } });
const holidaysAuth = routeAuth.tenant('holidays', { tenantHeader: 'required', errors: { missingTenant: HolidayErrors.missingTenant } });

const TenantHeaders = Type.Object({ 'x-tenant': Type.Optional(Type.String({ description: 'Org id (required); must match the token.' })) });
const CreateHeaders = Type.Object({
  ...TenantHeaders.properties,
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes the request safe to retry: the same key and body replay the first answer for 24 h.' }),
  ),
  'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
});
const NoContent = { 204: Type.Null() };

type Req = { id: string; headers: Record<string, string | string[] | undefined> };
const ctx = (req: Req) => ({ cid: req.id, idempotencyKey: idempotencyKeyOf(req.headers) });

export function programsRoutes(app: HttpApp, programs: ProgramsService): void {
  const route = { config: { auth: programsAuth } };
  const tags = ['programs'];

  app.post(
    '/programs/v1/programs/template',
    {
      ...route,
      schema: { tags, summary: 'Create program', headers: CreateHeaders, body: ProgramFromTemplate, response: { 200: ProgramResponse } },
    },
    async (req) => programs.createFromTemplate(callerOf(req).orgId, req.body, ctx(req)),
  );
  app.post(
    '/programs/v2/programs/template',
    {
      ...route,
      schema: {
        tags,
        summary: 'Create program (async): a durable job creates it and emits Program created',
        headers: CreateHeaders,
        body: ProgramFromTemplate,
        response: { 201: ProgramTemplateV2Response },
      },
    },
    async (req, reply) => reply.status(201).send(await programs.createFromTemplateAsync(callerOf(req).orgId, req.body, ctx(req))),
  );
  app.post(
    '/programs/v1/programs/copy',
    { ...route, schema: { tags, summary: 'Copy program', headers: CreateHeaders, body: CopyProgram, response: { 200: Program } } },
    async (req) => programs.copy(callerOf(req).orgId, req.body, ctx(req)),
  );
  app.post(
    '/programs/v2/programs/copy',
    {
      ...route,
      schema: { tags, summary: 'Copy program (async)', headers: CreateHeaders, body: CopyProgram, response: { 201: ProgramCopyV2Response } },
    },
    async (req, reply) => reply.status(201).send(await programs.copyAsync(callerOf(req).orgId, req.body, ctx(req))),
  );
  app.get(
    '/programs/v1/programs',
    { ...route, schema: { tags, summary: 'List programs', headers: TenantHeaders, querystring: ProgramListQuery, response: { 200: ProgramPage } } },
    async (req) => programs.list(callerOf(req).orgId, req.query),
  );
  app.get(
    '/programs/v1/programs/:id',
    { ...route, schema: { tags, summary: 'Get program V1', headers: TenantHeaders, params: ProgramIdParams, response: { 200: Program } } },
    async (req) => programs.get(callerOf(req).orgId, req.params.id),
  );
  app.get(
    '/programs/v2/programs/:id',
    { ...route, schema: { tags, summary: 'Get program V2', headers: TenantHeaders, params: ProgramIdParams, response: { 200: ProgramDetails } } },
    async (req) => programs.getDetails(callerOf(req).orgId, req.params.id),
  );
  app.patch(
    '/programs/v1/programs/:id',
    {
      ...route,
      schema: { tags, summary: 'Update program; emits Program updated', headers: TenantHeaders, params: ProgramIdParams, body: ProgramPatch, response: NoContent },
    },
    async (req, reply) => {
      await programs.patch(callerOf(req).orgId, req.params.id, req.body, ctx(req));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/programs/v1/programs/import/:id',
    {
      ...route,
      schema: { tags, summary: 'Get program import record', headers: TenantHeaders, params: ImportIdParams, response: { 200: ProgramImportWithSteps } },
    },
    async (req) => programs.getImport(callerOf(req).orgId, req.params.id),
  );
  app.get(
    '/programs/v1/programs/import/program/:id',
    {
      ...route,
      schema: {
        tags,
        summary: 'Get program import record by program ID',
        headers: TenantHeaders,
        params: ProgramIdParams,
        response: { 200: ProgramImportWithSteps },
      },
    },
    async (req) => programs.getImportOfProgram(callerOf(req).orgId, req.params.id),
  );
}

export function holidaysRoutes(app: HttpApp, holidays: HolidaysService): void {
  const route = { config: { auth: holidaysAuth } };
  const tags = ['holidays'];
  const base = '/holidays-core/v1/holiday-calendar';

  app.post(
    base,
    {
      ...route,
      schema: { tags, summary: 'Create holiday calendar', headers: CreateHeaders, body: CreateCalendarBody, response: { 201: CreatedCalendar } },
    },
    async (req, reply) => reply.status(201).send(await holidays.createCalendar(callerOf(req).orgId, req.body, ctx(req))),
  );
  app.get(
    base,
    { ...route, schema: { tags, summary: 'List holiday calendars', headers: TenantHeaders, querystring: CalendarListQuery, response: { 200: CalendarPage } } },
    async (req) => holidays.listCalendars(callerOf(req).orgId, req.query),
  );
  app.get(
    `${base}/:holiday_calendar_id`,
    { ...route, schema: { tags, summary: 'Get holiday calendar', headers: TenantHeaders, params: CalendarParams, response: { 200: Calendar } } },
    async (req) => holidays.getCalendar(callerOf(req).orgId, int8Id(req.params.holiday_calendar_id)),
  );
  app.get(
    `${base}/external-id/:external_id`,
    { ...route, schema: { tags, summary: 'Get calendar by external ID', headers: TenantHeaders, params: ExternalIdParams, response: { 200: Calendar } } },
    async (req) => holidays.getCalendarByExternalId(callerOf(req).orgId, req.params.external_id),
  );
  app.patch(
    `${base}/:holiday_calendar_id`,
    {
      ...route,
      schema: { tags, summary: 'Update holiday calendar', headers: TenantHeaders, params: CalendarParams, body: UpdateCalendarBody, response: NoContent },
    },
    async (req, reply) => {
      await holidays.updateCalendar(callerOf(req).orgId, int8Id(req.params.holiday_calendar_id), req.body, ctx(req));
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
      await holidays.deleteCalendar(callerOf(req).orgId, int8Id(req.params.holiday_calendar_id), ctx(req));
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/holiday`,
    { ...route, schema: { tags, summary: 'Add holiday', headers: CreateHeaders, body: AddHolidayBody, response: { 201: AddedHoliday } } },
    async (req, reply) => reply.status(201).send(await holidays.addHoliday(callerOf(req).orgId, req.body, ctx(req))),
  );
  app.get(
    `${base}/:holiday_calendar_id/holiday`,
    {
      ...route,
      schema: { tags, summary: 'List holidays', headers: TenantHeaders, params: CalendarParams, querystring: HolidayListQuery, response: { 200: HolidayPage } },
    },
    async (req) => holidays.listHolidays(callerOf(req).orgId, int8Id(req.params.holiday_calendar_id), req.query),
  );
  app.patch(
    `${base}/:holiday_calendar_id/holiday/:holiday_id`,
    {
      ...route,
      schema: { tags, summary: 'Update holiday', headers: TenantHeaders, params: HolidayParams, body: UpdateHolidayBody, response: NoContent },
    },
    async (req, reply) => {
      await holidays.updateHoliday(callerOf(req).orgId, int8Id(req.params.holiday_calendar_id), int8Id(req.params.holiday_id), req.body.name, ctx(req));
      return reply.status(204).send(null);
    },
  );
  app.delete(
    `${base}/:holiday_calendar_id/holiday/:holiday_id`,
    { ...route, schema: { tags, summary: 'Delete holiday', headers: TenantHeaders, params: HolidayParams, response: NoContent } },
    async (req, reply) => {
      await holidays.deleteHoliday(callerOf(req).orgId, int8Id(req.params.holiday_calendar_id), int8Id(req.params.holiday_id), ctx(req));
      return reply.status(204).send(null);
    },
  );
}
