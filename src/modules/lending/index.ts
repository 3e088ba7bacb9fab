// The lending module: Pismo's Lending API v1 — loan products and what they name (charge plans,
// penalty plans, repayment hierarchies) and program configurations.
import type { LastroModule } from '../../platform/module.js';
import { chargePlansRoutes } from './charge-plans.routes.js';
import { createChargePlansService } from './charge-plans.service.js';
import { LENDING_PRODUCT_EVENTS } from './lending.events.js';
import { loanProductsRoutes } from './loan-products.routes.js';
import { createLoanProductsService } from './loan-products.service.js';
import { penaltyPlansRoutes } from './penalty-plans.routes.js';
import { createPenaltyPlansService } from './penalty-plans.service.js';
import { programConfigurationsRoutes } from './program-configurations.routes.js';
import { createProgramConfigurationsService } from './program-configurations.service.js';
import { repaymentHierarchiesRoutes } from './repayment-hierarchies.routes.js';
import { createRepaymentHierarchiesService } from './repayment-hierarchies.service.js';

export { LendingEvents } from './lending.events.js';

export const lendingModule: LastroModule = {
  name: 'lending',
  events: LENDING_PRODUCT_EVENTS,
  routes(app, platform) {
    loanProductsRoutes(app, platform, createLoanProductsService(platform));
    chargePlansRoutes(app, platform, createChargePlansService(platform));
    penaltyPlansRoutes(app, platform, createPenaltyPlansService(platform));
    repaymentHierarchiesRoutes(app, platform, createRepaymentHierarchiesService(platform));
    programConfigurationsRoutes(app, platform, createProgramConfigurationsService(platform));
  },
};
