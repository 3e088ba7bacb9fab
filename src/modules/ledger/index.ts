// The ledger module: processing codes, transaction types and transaction flows (what a financial
// operation does to which balance), seeded with Lastro's standard set for every org. Other
// modules read a code's rule through processingCodeRule.
import type { LastroModule } from '../../platform/module.js';
import { ledgerOrgSetup } from './ledger.setup.js';
import { ProcessingCodeEvents } from './processing-codes.events.js';
import { processingCodesRoutes } from './processing-codes.routes.js';
import { createProcessingCodesService } from './processing-codes.service.js';
import { transactionFlowsRoutes } from './transaction-flows.routes.js';
import { createTransactionFlowsService } from './transaction-flows.service.js';
import { TransactionTypeEvents } from './transaction-types.events.js';
import { transactionTypesRoutes } from './transaction-types.routes.js';
import { createTransactionTypesService } from './transaction-types.service.js';

export { processingCodeRule, type ProcessingCodeRule } from './processing-codes.service.js';

export const ledgerModule: LastroModule = {
  name: 'ledger',
  events: [...Object.values(ProcessingCodeEvents), ...Object.values(TransactionTypeEvents)],
  orgSetup: ledgerOrgSetup,
  routes(app, platform) {
    processingCodesRoutes(app, platform, createProcessingCodesService(platform));
    transactionTypesRoutes(app, platform, createTransactionTypesService(platform));
    transactionFlowsRoutes(app, platform, createTransactionFlowsService(platform));
  },
};
