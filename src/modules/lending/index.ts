// The lending module: Pismo's Lending API v1 — loan products and what they name (charge plans,
// penalty plans, repayment hierarchies) and program configurations — and the pure schedule engine
// (schedules, repayment allocation, pay-off quotes and prepayment re-schedules) the lifecycle uses;
// the life of a loan: simulations, booking, disbursement, repayment and settlement.
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
import { LOAN_EVENTS } from './loans.events.js';
import { loanRoutes, simulationsRoutes } from './loans.routes.js';
import { createLoansService } from './loans.service.js';
import { createSimulationsService } from './simulations.service.js';
import { repaymentHierarchiesRoutes } from './repayment-hierarchies.routes.js';
import { createRepaymentHierarchiesService } from './repayment-hierarchies.service.js';

export { LendingEvents } from './lending.events.js';
export {
  buildSchedule,
  annuityPayment,
  currencyOf,
  MAX_INSTALLMENTS,
  MAX_STAGES,
  REPAYMENT_CALCULATION_METHODS,
  REPAYMENT_MODES,
  type BusinessDayAdjuster,
  type ChargeAmount,
  type ChargeCollection,
  type ChargeDefinition,
  type ChargeType,
  type DecimalInput,
  type InterestCalculationPeriod,
  type ProductStage,
  type RateInput,
  type RepaymentCalculationMethod,
  type RepaymentModeInput,
  type RepaymentModeType,
  type Schedule,
  type ScheduleInstallment,
  type ScheduleProduct,
  type ScheduleRequest,
  type ScheduleTotals,
  type StageInput,
} from './lending.schedule.js';
export {
  allocateRepayment,
  resolveHierarchy,
  COMPONENTS,
  DEFAULT_HIERARCHY,
  type AllocationRequest,
  type AllocationResult,
  type Component,
  type InstallmentAllocation,
  type OutstandingInstallment,
} from './lending.allocation.js';
export {
  payoffQuote,
  reschedulePrepayment,
  type OpenInstallment,
  type PayoffQuote,
  type PayoffRequest,
  type PrepaymentRequest,
  type PrepaymentResult,
} from './lending.prepayment.js';
export { DAYS_IN_YEAR_METHODS, dayCount, yearFraction, type DaysInYearMethod } from './lending.daycount.js';
export { FREQUENCY_METHODS, TIME_UNITS, type FrequencyMethod, type RepaymentFrequency, type TimeUnit } from './lending.frequency.js';
export { ROUNDING_MODES, type RoundingMode } from './lending.rounding.js';
export { type DateInput } from './lending.dates.js';
export { ScheduleErrors } from './lending.schedule.errors.js';

export const lendingModule: LastroModule = {
  name: 'lending',
  events: [...LENDING_PRODUCT_EVENTS, ...LOAN_EVENTS],
  dayHandlers: (platform) => [createLoansService(platform, createSimulationsService(platform)).dayHandler()],
  routes(app, platform) {
    loanProductsRoutes(app, platform, createLoanProductsService(platform));
    chargePlansRoutes(app, platform, createChargePlansService(platform));
    penaltyPlansRoutes(app, platform, createPenaltyPlansService(platform));
    repaymentHierarchiesRoutes(app, platform, createRepaymentHierarchiesService(platform));
    programConfigurationsRoutes(app, platform, createProgramConfigurationsService(platform));
    const simulations = createSimulationsService(platform);
    simulationsRoutes(app, platform, simulations);
    loanRoutes(app, platform, createLoansService(platform, simulations));
  },
};
