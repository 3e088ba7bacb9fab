// HTTP routes of Pismo's Accounts API (Core_platform_-_Accounts.yaml): account applications
// (/acquisitions/…), accounts, statuses and reasons (/accounts/…). Permission group: `accounts`
// for all of them (Pismo's roles name no separate group for acquisitions). Routes about one
// account name it in the path: an account token may act only on its own.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import {
  Account,
  AccountIdParams,
  AccountQuery,
  ApplicationResponse,
  CreateApplicationBody,
  Status,
  StatusCreate,
  StatusListQuery,
  StatusPage,
} from './accounts.schemas.js';
import type { AccountsService } from './accounts.service.js';
import type { StatusesService } from './statuses.service.js';

const orgAuth = routeAuth.tenant('accounts');
const accountAuth = routeAuth.tenant('accounts', { accountParam: 'accountId' });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes the request safe to retry: the same key and body replay the first answer for 24 h.' }),
  ),
  'x-idempotency-key': Type.Optional(Type.String({ description: 'The same, under the name some Pismo APIs use.' })),
});

export function accountsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, accounts: AccountsService, statuses: StatusesService): void {
  const tags = ['accounts'];
  /** The caller's org's tenant transaction, opened once for the request. */
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  app.post(
    '/acquisitions/v3/s2s/applications',
    {
      config: { auth: orgAuth },
      schema: {
        tags,
        summary: 'Create account application: submit true opens the account (owner customer and entity); false saves a prospect',
        headers: IdempotencyHeaders,
        body: CreateApplicationBody,
        response: { 201: ApplicationResponse },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => accounts.createApplication(t, req.body, ctx)));
    },
  );

  app.get(
    '/accounts/v1/accounts/:accountId',
    {
      config: { auth: accountAuth },
      schema: { tags, summary: 'Get account', params: AccountIdParams, querystring: AccountQuery, response: { 200: Account } },
    },
    async (req) => tenant(req, (t) => accounts.getAccount(t, req.params.accountId, { showChildren: req.query.show_children === true })),
  );

  app.post(
    '/accounts/v4/statuses',
    {
      config: { auth: orgAuth },
      schema: { tags, summary: 'Create status; emits Account status created', headers: IdempotencyHeaders, body: StatusCreate, response: { 201: Status } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => statuses.createStatus(t, req.body, ctx)));
    },
  );

  app.get(
    '/accounts/v4/statuses',
    { config: { auth: orgAuth }, schema: { tags, summary: 'List statuses', querystring: StatusListQuery, response: { 200: StatusPage } } },
    async (req) => tenant(req, (t) => statuses.listStatuses(t, req.query)),
  );
}
