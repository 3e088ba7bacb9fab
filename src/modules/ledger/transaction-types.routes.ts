// HTTP routes of Pismo's transaction types (/transactions-core/v1/transaction-type[s]…; Get uses
// the singular path, as Pismo's spec does). Permission group: `transactions`.
import type { FastifyRequest } from 'fastify';
import { routeAuth } from '../../platform/auth/guard.js';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { CreateHeaders } from './processing-codes.routes.js';
import {
  TransactionType,
  TransactionTypeListQuery,
  TransactionTypePage,
  TransactionTypeParams,
  TransactionTypePatch,
  TransactionTypeResult,
} from './transaction-types.schemas.js';
import type { TransactionTypesService } from './transaction-types.service.js';

export const transactionsAuth = routeAuth.tenant('transactions');

export function transactionTypesRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, types: TransactionTypesService): void {
  const route = { config: { auth: transactionsAuth } };
  const tags = ['transaction types'];
  /** The caller's org's tenant transaction, opened once for the request. */
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  app.post(
    '/transactions-core/v1/transaction-types',
    {
      ...route,
      schema: {
        tags,
        summary: 'Create transaction type; emits Transaction type created',
        headers: CreateHeaders,
        body: TransactionTypeResult,
        response: { 201: TransactionTypeResult },
      },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => types.create(t, req.body, ctx)));
    },
  );
  app.get(
    '/transactions-core/v1/transaction-types',
    { ...route, schema: { tags, summary: 'List transaction types', querystring: TransactionTypeListQuery, response: { 200: TransactionTypePage } } },
    async (req) => tenant(req, (t) => types.list(t, req.query)),
  );
  app.get(
    '/transactions-core/v1/transaction-type/:transactionTypeId',
    { ...route, schema: { tags, summary: 'Get transaction type', params: TransactionTypeParams, response: { 200: TransactionType } } },
    async (req) => tenant(req, (t) => types.get(t, req.params.transactionTypeId)),
  );
  app.patch(
    '/transactions-core/v1/transaction-types/:transactionTypeId',
    {
      ...route,
      schema: { tags, summary: 'Update transaction type', params: TransactionTypeParams, body: TransactionTypePatch, response: { 200: TransactionTypeResult } },
    },
    async (req) => tenant(req, (t) => types.patch(t, req.params.transactionTypeId, req.body)),
  );
}
