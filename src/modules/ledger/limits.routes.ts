// HTTP routes of account limits: Pismo's Ledger API (GET/PATCH /ledger/v1/accounts/{accountId}/limits)
// and Balances and limits API (PATCH /balances-limits/v1/accounts/{accountId}/limits, x-tenant
// required). Permission group `ledger`; an account token may reach its own account only.
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { AccountIdParams, AccountLimitGet, AccountLimitPatch } from './limits.schemas.js';
import type { LimitsService } from './limits.service.js';
import { AccountBalanceResponse, DailyBalancesQuery, type DailyBalancesService } from './daily-balances.service.js';

const tags = ['ledger'];
const NoContent = { 204: Type.Null() };
const TenantHeaders = Type.Object({ 'x-tenant': Type.Optional(Type.String({ description: 'Org id (required here); must match the token.' })) });

export function limitsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, limits: LimitsService, daily: DailyBalancesService): void {
  const auth = routeAuth.tenant('ledger', { accountParam: 'accountId' });
  app.get(
    '/ledger/v1/accounts/:accountId/limits',
    { config: { auth }, schema: { tags, summary: 'List account limits', params: AccountIdParams, response: { 200: AccountLimitGet } } },
    async (req) => platform.tenant(tenantScope(req), (t) => limits.get(t, req.params.accountId)),
  );
  app.patch(
    '/ledger/v1/accounts/:accountId/limits',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'Update account limits (outdated)',
        description: "Not checked against the program's global limit (see PATCH /balances-limits/v1/accounts/{accountId}/limits). Emits Account limit changed.",
        params: AccountIdParams,
        body: AccountLimitPatch,
        response: NoContent,
      },
    },
    async (req, reply) => {
      await platform.tenant(tenantScope(req), (t) => limits.patch(t, req.params.accountId, req.body, { checkGlobal: false }));
      return reply.code(204).send(null);
    },
  );
  app.patch(
    '/balances-limits/v1/accounts/:accountId/limits',
    {
      config: { auth: routeAuth.tenant('ledger', { accountParam: 'accountId', tenantHeader: 'required' }) },
      schema: {
        tags,
        summary: 'Update account limits',
        description: "Checked against the program's global limit configuration. Emits Account limit changed.",
        headers: TenantHeaders,
        params: AccountIdParams,
        body: AccountLimitPatch,
        response: NoContent,
      },
    },
    async (req, reply) => {
      await platform.tenant(tenantScope(req), (t) => limits.patch(t, req.params.accountId, req.body, { checkGlobal: true }));
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/balances-limits/v1/accounts/:accountId/daily-balances',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'Get daily account balance limits',
        description: "The account's balances as each business day closed (the end-of-day handler records them): at most 90 days, before today.",
        params: AccountIdParams,
        querystring: DailyBalancesQuery,
        response: { 200: AccountBalanceResponse },
      },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => daily.list(t, req.params.accountId, req.query)),
  );
}
