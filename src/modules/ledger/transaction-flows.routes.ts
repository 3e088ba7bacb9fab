// HTTP routes of Pismo's transaction flows (/transactions-core/v1/transaction-flow…). Permission
// group: `transactions`.
import type { FastifyRequest } from 'fastify';
import { requestContext, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import type { TenantTx } from '../../platform/tenant.js';
import { CreateHeaders } from './processing-codes.routes.js';
import {
  TransactionFlow,
  TransactionFlowListQuery,
  TransactionFlowPage,
  TransactionFlowParams,
  TransactionFlowPatch,
  TransactionFlowPost,
} from './transaction-flows.schemas.js';
import type { TransactionFlowsService } from './transaction-flows.service.js';
import { transactionsAuth } from './transaction-types.routes.js';

export function transactionFlowsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, flows: TransactionFlowsService): void {
  const route = { config: { auth: transactionsAuth } };
  const tags = ['transaction flows'];
  const base = '/transactions-core/v1/transaction-flow';
  /** The caller's org's tenant transaction, opened once for the request. */
  const tenant = <T>(req: FastifyRequest, fn: (t: TenantTx) => Promise<T>) => platform.tenant(tenantScope(req), fn);

  app.post(
    base,
    {
      ...route,
      schema: { tags, summary: 'Create transaction flow', headers: CreateHeaders, body: TransactionFlowPost, response: { 201: TransactionFlow } },
    },
    async (req, reply) => {
      const ctx = requestContext(req);
      return reply.status(201).send(await tenant(req, (t) => flows.create(t, req.body, ctx)));
    },
  );
  app.get(
    base,
    { ...route, schema: { tags, summary: 'List transaction flows', querystring: TransactionFlowListQuery, response: { 200: TransactionFlowPage } } },
    async (req) => tenant(req, (t) => flows.list(t, req.query)),
  );
  app.patch(
    `${base}/processing-code/:processingCode/transaction-type/:transactionTypeId`,
    {
      ...route,
      schema: { tags, summary: 'Update transaction flow', params: TransactionFlowParams, body: TransactionFlowPatch, response: { 200: TransactionFlow } },
    },
    async (req) => tenant(req, (t) => flows.patch(t, req.params.processingCode, req.params.transactionTypeId, req.body)),
  );
}
