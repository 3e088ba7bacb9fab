// The lending module's public face. For now: the pure schedule engine (schedules, repayment
// allocation, pay-off quotes and prepayment re-schedules); the lifecycle routes come on top of it.
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
export { LendingErrors } from './lending.errors.js';
