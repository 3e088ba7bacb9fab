// HTTP routes of Pismo's Programs API (/programs/…). x-tenant is required, as Pismo requires it,
// and its absence answers EOA0017. Permission group: `programs`.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import { TenantHeaders, TenantIdempotentHeaders } from '../../platform/http/headers.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { ProgramErrors } from './programs.errors.js';
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

const NoContent = { 204: Type.Null() };

export function programsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, programs: ProgramsService): void {
  const route = { config: { auth: programsAuth } };
  const tags = ['programs'];
  /** The caller's org's tenant transaction, opened once for the request. */
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  app.post(
    '/programs/v1/programs/template',
    {
      ...route,
      schema: { tags, summary: 'Create program', headers: TenantIdempotentHeaders, body: ProgramFromTemplate, response: { 200: ProgramResponse } },
    },
    async (req) => {
      const ctx = requestContext(req);
      return tenant(req, (t) => programs.createFromTemplate(t, req.body, ctx));
    },
  );
  app.post(
    '/programs/v2/programs/template',
    {
      ...route,
      schema: {
        tags,
        summary: 'Create program (async): a durable job creates it and emits Program created',
        headers: TenantIdempotentHeaders,
        body: ProgramFromTemplate,
        response: { 201: ProgramTemplateV2Response },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => programs.createFromTemplateAsync(t, req.body, ctx)));
    },
  );
  app.post(
    '/programs/v1/programs/copy',
    { ...route, schema: { tags, summary: 'Copy program', headers: TenantIdempotentHeaders, body: CopyProgram, response: { 200: Program } } },
    async (req) => {
      const ctx = requestContext(req);
      return tenant(req, (t) => programs.copy(t, req.body, ctx));
    },
  );
  app.post(
    '/programs/v2/programs/copy',
    {
      ...route,
      schema: { tags, summary: 'Copy program (async)', headers: TenantIdempotentHeaders, body: CopyProgram, response: { 201: ProgramCopyV2Response } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => programs.copyAsync(t, req.body, ctx)));
    },
  );
  app.get(
    '/programs/v1/programs',
    { ...route, schema: { tags, summary: 'List programs', headers: TenantHeaders, querystring: ProgramListQuery, response: { 200: ProgramPage } } },
    async (req) => tenant(req, (t) => programs.list(t, req.query)),
  );
  app.get(
    '/programs/v1/programs/:id',
    { ...route, schema: { tags, summary: 'Get program V1', headers: TenantHeaders, params: ProgramIdParams, response: { 200: Program } } },
    async (req) => tenant(req, (t) => programs.get(t, req.params.id)),
  );
  app.get(
    '/programs/v2/programs/:id',
    { ...route, schema: { tags, summary: 'Get program V2', headers: TenantHeaders, params: ProgramIdParams, response: { 200: ProgramDetails } } },
    async (req) => tenant(req, (t) => programs.getDetails(t, req.params.id)),
  );
  app.patch(
    '/programs/v1/programs/:id',
    {
      ...route,
      schema: { tags, summary: 'Update program; emits Program updated', headers: TenantHeaders, params: ProgramIdParams, body: ProgramPatch, response: NoContent },
    },
    async (req, reply) => {
      await tenant(req, (t) => programs.patch(t, req.params.id, req.body));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/programs/v1/programs/import/:id',
    {
      ...route,
      schema: { tags, summary: 'Get program import record', headers: TenantHeaders, params: ImportIdParams, response: { 200: ProgramImportWithSteps } },
    },
    async (req) => tenant(req, (t) => programs.getImport(t, req.params.id)),
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
    async (req) => tenant(req, (t) => programs.getImportOfProgram(t, req.params.id)),
  );
}
