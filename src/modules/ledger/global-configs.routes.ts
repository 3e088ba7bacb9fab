// HTTP routes of Pismo's Balances and limits API: program limits (POST/GET
// /balances-limits/v1/global-configs, PATCH …/global-configs/program/{programId}; x-tenant
// required) and related accounts' limits. Permission group `ledger`; program limits are org-wide,
// related accounts an account's own (an account token may reach its own account only).
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import {
  CreateGlobalConfigRequest,
  GetGlobalConfigResponse,
  GlobalConfigsQuery,
  ProgramIdParams,
  RelatedAccountsResponse,
  UpdateGlobalConfigRequest,
} from './global-configs.schemas.js';
import type { GlobalConfigsService } from './global-configs.service.js';
import { BalancesLimitsErrors } from './limits.errors.js';
import { AccountIdParams } from './limits.schemas.js';

const tags = ['ledger'];
const TenantHeaders = Type.Object({ 'x-tenant': Type.Optional(Type.String({ description: 'Org id (required here); must match the token.' })) });
const errors = { missingTenant: () => BalancesLimitsErrors.missingHeaders() };
const programAuth = routeAuth.tenant('ledger', { tenantHeader: 'required', errors });

export function globalConfigsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, service: GlobalConfigsService): void {
  app.post(
    '/balances-limits/v1/global-configs',
    {
      config: { auth: programAuth },
      schema: {
        tags,
        summary: 'Configure program limit',
        description:
          "The most an account of the program may be granted (max_credit_limit), in the program's currency. While active, " +
          'PATCH /balances-limits/v1/accounts/{accountId}/limits refuses a max_credit_limit above it. One per program: 409 DUPLICATE_CONFIG.',
        headers: TenantHeaders,
        body: CreateGlobalConfigRequest,
        response: { 201: Type.Null() },
      },
    },
    async (req, reply) => {
      await platform.tenant(tenantScope(req), (t) => service.create(t, req.body));
      // Pismo's 201 has no content.
      return reply.code(201).send(undefined as unknown as null);
    },
  );
  app.get(
    '/balances-limits/v1/global-configs',
    {
      config: { auth: programAuth },
      schema: {
        tags,
        summary: 'Get program limits',
        description: "Program limits with what the program's accounts are granted together (accumulated); with programId, that program's (404 WBLS0007 when it has none).",
        headers: TenantHeaders,
        querystring: GlobalConfigsQuery,
        response: { 200: Type.Array(GetGlobalConfigResponse) },
      },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => service.list(t, req.query)),
  );
  app.patch(
    '/balances-limits/v1/global-configs/program/:programId',
    {
      config: { auth: programAuth },
      schema: {
        tags,
        summary: 'Update program limit',
        description: 'Changes the program limit; a program without one: 404 WBLS0007.',
        headers: TenantHeaders,
        params: ProgramIdParams,
        body: UpdateGlobalConfigRequest,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await platform.tenant(tenantScope(req), (t) => service.update(t, req.params.programId, req.body));
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/balances-limits/v1/accounts/:accountId/related-accounts-limits',
    {
      config: { auth: routeAuth.tenant('ledger', { accountParam: 'accountId' }) },
      schema: {
        tags,
        summary: 'Get related accounts',
        description: "The account's balances and limits, with those of its related accounts: its descendants (children, up to three levels).",
        params: AccountIdParams,
        response: { 200: RelatedAccountsResponse },
      },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => service.related(t, req.params.accountId)),
  );
}
