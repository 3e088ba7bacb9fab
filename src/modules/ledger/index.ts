// The ledger module: the journal (entries and postings), balances and limits, and the ledger's
// verification. It knows accounts only through accounts/index.ts.
import { currencyByNumeric } from '../../platform/money.js';
import type { LastroModule } from '../../platform/module.js';
import { orgCurrencyNumeric } from '../orgs/index.js';
import { createJournalService } from './journal.service.js';
import { verifyRoutes } from './verify.routes.js';

export { ledgerVerification, verifyLedger, verifyOrgs, type VerifyProgress, type VerifyReport } from './verify.service.js';

export const ledgerModule: LastroModule = {
  name: 'ledger',
  routes(app, platform) {
    verifyRoutes(app, platform);
  },
  orgSetup: (platform) => ({
    version: 1,
    // The org's internal (GL) accounts in its currency; other currencies open on first use.
    async apply(t) {
      const numeric = await orgCurrencyNumeric(t);
      if (numeric === undefined) return;
      await createJournalService(platform).openInternalAccounts(t, currencyByNumeric(numeric).code);
    },
  }),
};
