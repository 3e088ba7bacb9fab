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
  AccountPatch,
  AccountQuery,
  ApplicationDetails,
  ApplicationIdParams,
  ApplicationResponse,
  ChannelCreate,
  ChannelListQuery,
  ChannelPage,
  CreateApplicationBody,
  ProgramIdParams,
  Reason,
  ReasonCreate,
  ReasonListQuery,
  ReasonPage,
  Status,
  StatusChange,
  StatusCreate,
  StatusListQuery,
  StatusPage,
  StatusRollback,
  UpdateApplicationBody,
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
    '/acquisitions/v2/s2s/applications/:applicationId',
    {
      config: { auth: orgAuth },
      schema: { tags, summary: 'Get account application', params: ApplicationIdParams, response: { 200: ApplicationDetails } },
    },
    async (req) => tenant(req, (t) => accounts.getApplication(t, req.params.applicationId)),
  );

  app.patch(
    '/acquisitions/v2/s2s/applications/:applicationId',
    {
      config: { auth: orgAuth },
      schema: {
        tags,
        summary: 'Update account application (a prospect): merge the applicant, submit it, or cancel it',
        headers: IdempotencyHeaders,
        params: ApplicationIdParams,
        body: UpdateApplicationBody,
        response: { 200: ApplicationResponse },
      },
    },
    async (req) => {
      const ctx = requestContext(req);
      return tenant(req, (t) => accounts.updateApplication(t, req.params.applicationId, req.body, ctx));
    },
  );

  app.get(
    '/acquisitions/v2/programs/:programId/channels',
    {
      config: { auth: orgAuth },
      schema: { tags, summary: 'List acquisition channels of a program', params: ProgramIdParams, querystring: ChannelListQuery, response: { 200: ChannelPage } },
    },
    async (req) => tenant(req, (t) => accounts.listChannels(t, req.params.programId, req.query)),
  );

  app.post(
    '/lastro/v1/acquisition-channels',
    {
      config: { auth: orgAuth },
      schema: {
        tags,
        summary: 'Create an acquisition channel of a program (Lastro; Pismo configures channels on request)',
        headers: IdempotencyHeaders,
        body: ChannelCreate,
        response: { 201: Type.Object({ id: Type.Integer(), type: Type.String(), name: Type.String(), program_id: Type.Integer() }) },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => accounts.createChannel(t, req.body, ctx)));
    },
  );

  app.patch(
    '/accounts/v1/accounts/:accountId',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Update account; emits Account information changed',
        headers: IdempotencyHeaders,
        params: AccountIdParams,
        body: AccountPatch,
        response: { 200: Type.Null({ description: 'Updated (no body).' }) },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => accounts.patchAccount(t, req.params.accountId, req.body, ctx));
      return reply.status(200).send(null);
    },
  );

  app.patch(
    '/accounts/v2/accounts/:accountId/status',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Update status (a final status can only be rolled back); emits Account status changed',
        headers: IdempotencyHeaders,
        params: AccountIdParams,
        body: StatusChange,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => statuses.changeStatus(t, req.params.accountId, req.body, ctx));
      return reply.status(204).send(null);
    },
  );

  app.patch(
    '/accounts/v2/accounts/:accountId/status/rollback',
    {
      config: { auth: accountAuth },
      schema: {
        tags,
        summary: 'Roll back status to NORMAL (or the status sent), from any status; emits Account status changed',
        headers: IdempotencyHeaders,
        params: AccountIdParams,
        body: StatusRollback,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      await tenant(req, (t) => statuses.rollbackStatus(t, req.params.accountId, req.body, ctx));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/accounts/v4/reasons',
    {
      config: { auth: orgAuth },
      schema: { tags, summary: 'Create status reason; emits Reason created', headers: IdempotencyHeaders, body: ReasonCreate, response: { 201: Reason } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => statuses.createReason(t, req.body, ctx)));
    },
  );

  app.get(
    '/accounts/v4/reasons',
    { config: { auth: orgAuth }, schema: { tags, summary: 'List status reasons', querystring: ReasonListQuery, response: { 200: ReasonPage } } },
    async (req) => tenant(req, (t) => statuses.listReasons(t, req.query)),
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
