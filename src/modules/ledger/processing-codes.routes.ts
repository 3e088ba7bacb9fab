// HTTP routes of Pismo's Orgs operation API (/orgs-operation/v1/…): processing codes and
// reversal processing codes. Permission group: `ledger` (they decide what money movements do).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import {
  LanguageQuery,
  ProcessingCodeCreateRequest,
  ProcessingCodeCreateResponse,
  ProcessingCodeListQuery,
  ProcessingCodePage,
  ProcessingCodeParams,
  ProcessingCodeResponse,
  ProcessingCodeUpdateRequest,
  ReversalCreateResponse,
  ReversalProcessingCodeCreateRequest,
} from './processing-codes.schemas.js';
import type { ProcessingCodesService } from './processing-codes.service.js';

export const ledgerAuth = routeAuth.tenant('ledger');

export const CreateHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes the request safe to retry: the same key and body replay the first answer for 24 h.' }),
  ),
  'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
});

export function processingCodesRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, codes: ProcessingCodesService): void {
  const route = { config: { auth: ledgerAuth } };
  const tags = ['processing codes'];
  const base = '/orgs-operation/v1/processing-codes';
  /** The caller's org's tenant transaction, opened once for the request. */
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  app.post(
    base,
    {
      ...route,
      schema: {
        tags,
        summary: 'Create processing code; emits Orgs operation created',
        headers: CreateHeaders,
        body: ProcessingCodeCreateRequest,
        response: { 201: ProcessingCodeCreateResponse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => codes.create(t, req.body, ctx)));
    },
  );
  app.get(
    base,
    { ...route, schema: { tags, summary: 'List processing codes', querystring: ProcessingCodeListQuery, response: { 200: ProcessingCodePage } } },
    async (req) => tenant(req, (t) => codes.list(t, req.query)),
  );
  app.get(
    `${base}/:processingCode`,
    {
      ...route,
      schema: { tags, summary: 'Get processing code', params: ProcessingCodeParams, querystring: LanguageQuery, response: { 200: ProcessingCodeResponse } },
    },
    async (req) => tenant(req, (t) => codes.get(t, req.params.processingCode, req.query.language)),
  );
  app.patch(
    `${base}/:processingCode`,
    {
      ...route,
      schema: {
        tags,
        summary: 'Update processing code; emits Orgs operation updated',
        params: ProcessingCodeParams,
        body: ProcessingCodeUpdateRequest,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await tenant(req, (t) => codes.patch(t, req.params.processingCode, req.body));
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/orgs-operation/v1/reversal-processing-codes',
    {
      ...route,
      schema: {
        tags,
        summary: 'Create reversal processing code; emits Orgs operation created',
        headers: CreateHeaders,
        body: ReversalProcessingCodeCreateRequest,
        response: { 201: ReversalCreateResponse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => codes.createReversal(t, req.body, ctx)));
    },
  );
}
