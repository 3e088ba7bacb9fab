// The ledger module: processing codes, transaction types and transaction flows (what a financial
// operation does to which balance), seeded with Lastro's standard set for every org; the journal
// (entries and postings), balances and limits, and the ledger's verification. Other modules read
// a code's rule through processingCodeRule. It knows accounts only through accounts/index.ts.
import { Histogram } from 'prom-client';
import { currencyByNumeric } from '../../platform/money.js';
import type { LastroModule, Platform } from '../../platform/module.js';
import { orgCurrencyNumeric } from '../orgs/index.js';
import { createDailyBalancesService } from './daily-balances.service.js';
import { globalConfigsRoutes } from './global-configs.routes.js';
import { createGlobalConfigsService } from './global-configs.service.js';
import { createHoldsService } from './holds.service.js';
import { createJournalService } from './journal.service.js';
import { limitsRoutes } from './limits.routes.js';
import { createLimitsService } from './limits.service.js';
import { LEDGER_MONEY_EVENTS } from './payments.events.js';
import { paymentMethodsRoutes } from './payment-methods.routes.js';
import { createPaymentMethodsService } from './payment-methods.service.js';
import { paymentsRoutes } from './payments.routes.js';
import { createPaymentsService } from './payments.service.js';
import { ledgerOrgSetup } from './ledger.setup.js';
import { ProcessingCodeEvents } from './processing-codes.events.js';
import { processingCodesRoutes } from './processing-codes.routes.js';
import { createProcessingCodesService } from './processing-codes.service.js';
import { transactionFlowsRoutes } from './transaction-flows.routes.js';
import { createTransactionFlowsService } from './transaction-flows.service.js';
import { TransactionTypeEvents } from './transaction-types.events.js';
import { transactionTypesRoutes } from './transaction-types.routes.js';
import { createTransactionTypesService } from './transaction-types.service.js';
import { transactionsRoutes } from './transactions.routes.js';
import { createTransactionsService } from './transactions.service.js';
import { createTransferGroups } from './transfer-groups.js';
import { verifyRoutes } from './verify.routes.js';

/** Sizes of the groups of transfers committed together, per app (served at /metrics). */
const groupSizes = new WeakMap<Platform, Histogram>();

export { processingCodeRule, type ProcessingCodeRule } from './processing-codes.service.js';
export { accountBalances } from './limits.service.js';
export { openLedgerAccount } from './payments.service.js';
export { createJournalService, type EntryInput, type JournalService } from './journal.service.js';
export { ledgerVerification, verifyLedger, verifyOrgs, type VerifyProgress, type VerifyReport } from './verify.service.js';

export const ledgerModule: LastroModule = {
  name: 'ledger',
  events: [...Object.values(ProcessingCodeEvents), ...Object.values(TransactionTypeEvents), ...LEDGER_MONEY_EVENTS],
  dayHandlers: (platform) => [createHoldsService(platform).dayHandler(), createDailyBalancesService(platform).dayHandler()],
  orgSetup(platform) {
    const codes = ledgerOrgSetup(platform);
    const journal = createJournalService(platform);
    return {
      version: codes.version,
      async apply(t, previous) {
        await codes.apply(t, previous);
        // The org's internal (GL) accounts in its currency; other currencies open on first use
        // (and so do these, for an org set up before the journal existed).
        const numeric = await orgCurrencyNumeric(t);
        if (numeric !== undefined) await journal.openInternalAccounts(t, currencyByNumeric(numeric).code);
      },
    };
  },
  metrics(registry, platform) {
    groupSizes.set(
      platform,
      new Histogram({
        name: 'lastro_ledger_transfer_group_size',
        help: 'P2P transfers committed together in one transaction (groups of two or more).',
        buckets: [2, 4, 8, 16, 32, 64, 128],
        registers: [registry],
      }),
    );
  },
  routes(app, platform) {
    processingCodesRoutes(app, platform, createProcessingCodesService(platform));
    transactionTypesRoutes(app, platform, createTransactionTypesService(platform));
    transactionFlowsRoutes(app, platform, createTransactionFlowsService(platform));
    verifyRoutes(app, platform);
    const payments = createPaymentsService(platform);
    const groups = createTransferGroups({ tenant: platform.tenant, payments, maxSize: platform.config.ledgerGroupMax, inFlight: platform.config.ledgerGroupsInFlight, splitMin: platform.config.ledgerGroupSplitMin, windowMs: platform.config.ledgerGroupWindowMs });
    groups.onGroup = (size) => groupSizes.get(platform)?.observe(size);
    paymentsRoutes(app, platform, payments, createHoldsService(platform), groups);
    paymentMethodsRoutes(app, platform, createPaymentMethodsService(platform));
    limitsRoutes(app, platform, createLimitsService(platform), createDailyBalancesService(platform));
    transactionsRoutes(app, platform, createTransactionsService());
    globalConfigsRoutes(app, platform, createGlobalConfigsService(platform));
  },
};
