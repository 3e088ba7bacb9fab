// The accounts module: Pismo's Accounts API (account applications, accounts, customers, entities,
// addresses, phones, parameters, statuses and reasons), and what other modules know of accounts:
// accountFacts (read, optionally FOR SHARE) and the hooks run when an account is created.
import type { LastroModule } from '../../platform/module.js';
import { ACCOUNT_EVENTS } from './accounts.events.js';
import { accountsRoutes } from './accounts.routes.js';
import { accountExists, createAccountsService } from './accounts.service.js';
import { customersRoutes } from './customers.routes.js';
import { createCustomersService } from './customers.service.js';
import { accountsOrgSetup, createStatusesService } from './statuses.service.js';

export { AccountEvents } from './accounts.events.js';
export {
  accountExists,
  accountFacts,
  accountFactsRead,
  onAccountCreated,
  useAccountBalances,
  type AccountBalances,
  type AccountBalanceSource,
  type AccountCreatedHandler,
  type AccountFacts,
  type AllowedOperations,
} from './accounts.service.js';
export { accountDescendants, isCustomerOfAccount } from './accounts.service.js';

export const accountsModule: LastroModule = {
  name: 'accounts',
  events: ACCOUNT_EVENTS,
  orgSetup: (platform) => accountsOrgSetup(platform),
  // Account tokens are issued only for accounts of the token's org.
  accountLookup: () => ({ exists: accountExists }),
  routes(app, platform) {
    accountsRoutes(app, platform, createAccountsService(platform), createStatusesService(platform));
    customersRoutes(app, platform, createCustomersService(platform));
  },
};
