// HTTP routes of Pismo's Transactions API reads (permission group `transactions`): the
// transactions of the token's account (an org-wide token names it with x-account-id).
import { Type } from 'typebox';
import { routeAuth } from '../../platform/auth/guard.js';
import { accountOf, tenantScope } from '../../platform/http/context.js';
import type { HttpApp, Platform } from '../../platform/module.js';
import { Transaction, TransactionGetQuery, TransactionIdParams, TransactionListQuery, TransactionPage } from './transactions.schemas.js';
import type { TransactionsService } from './transactions.service.js';

const tags = ['transactions'];
const auth = routeAuth.tenant('transactions', { account: 'token', accountHeader: true });
const Headers = Type.Object({
  'x-account-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'The account, with an org-wide token.' })),
});

export function transactionsRoutes(app: HttpApp, platform: Pick<Platform, 'tenant'>, transactions: TransactionsService): void {
  app.get(
    '/transactions-core/v2/transactions',
    {
      config: { auth },
      schema: {
        tags,
        summary: 'List transactions',
        description:
          'Transactions of the account, newest first by default. Without id, ids, authorizationId, authorizationIds, authorizationTrackingId, statementId or ' +
          'numberOfLatestTransactions, eventDateStart is required and the range spans at most 90 days.',
        headers: Headers,
        querystring: TransactionListQuery,
        response: { 200: TransactionPage },
      },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => transactions.list(t, accountOf(req), req.query)),
  );
  app.get(
    '/transactions-core/v2/transactions/:transactionId',
    {
      config: { auth },
      schema: { tags, summary: 'Get transaction', headers: Headers, params: TransactionIdParams, querystring: TransactionGetQuery, response: { 200: Transaction } },
    },
    async (req) => platform.tenant(tenantScope(req), (t) => transactions.get(t, accountOf(req), req.params.transactionId)),
  );
}
