// The lending schedule engine: from a product-like definition, an amount, rates and dates to the
// repayment schedule, to the cent. Pure: no I/O, no clock, no floats on money. Amounts are integer
// minor units (bigint inside, Money outside), rates exact ratios (lending.rounding.ts), every
// rounding explicit and done with the product's rounding_mode. docs/lending.md ("Schedule engine")
// states every option and the formula it selects.
import { type Currency, Money, MoneyError, currencyByCode, currencyByNumeric, isCurrencyNumericCode } from '../../platform/money.js';
import { type CivilDate, type DateInput, compareDates, daysBetween, daysInMonth, formatDate, parseDate } from './lending.dates.js';
import { type DaysInYearMethod, DAYS_IN_YEAR_METHODS, yearFraction } from './lending.daycount.js';
import { ScheduleErrors } from './lending.schedule.errors.js';
import {
  FREQUENCY_METHODS,
  type RepaymentFrequency,
  TIME_UNITS,
  type TimeUnit,
  frequencyStep,
  installmentsIn,
  nthDate,
  periodsPerYear,
  unitsPerYear,
} from './lending.frequency.js';
import {
  type Ratio,
  ROUNDING_MODES,
  add,
  type RoundingMode,
  roundDiv,
  mul,
  mulRound,
  ratio,
  ratioOf,
  roundToMultiple,
  toDecimal,
} from './lending.rounding.js';

/** Pismo's limit: "More than 500 repayments not supported" (ELND0006). */
export const MAX_INSTALLMENTS = 500;
/** Pismo v1 allows 1 to 5 stages. */
export const MAX_STAGES = 5;

export type RepaymentCalculationMethod = 'EI_REDUCING_BALANCE' | 'FLAT_BASIS' | 'ADD_ON_INTEREST' | 'EQUAL_PRINCIPAL';
export const REPAYMENT_CALCULATION_METHODS: readonly RepaymentCalculationMethod[] = [
  'EI_REDUCING_BALANCE',
  'FLAT_BASIS',
  'ADD_ON_INTEREST',
  'EQUAL_PRINCIPAL',
];
export type InterestCalculationPeriod = 'SAME_AS_REPAYMENT_PERIOD' | 'DAILY';
export type RepaymentModeType = 'PRINCIPAL_AND_INTEREST' | 'INTEREST_ONLY' | 'MORATORIUM';
export const REPAYMENT_MODES: readonly RepaymentModeType[] = ['PRINCIPAL_AND_INTEREST', 'INTEREST_ONLY', 'MORATORIUM'];
export type ChargeType = 'FEE' | 'TAX' | 'CHARGE';
export type ChargeCollection = 'DEDUCT' | 'UPFRONT' | 'AMORTISED';

/** A decimal as the API sends it: exact text, or a JSON number carried exactly. */
export type DecimalInput = string | number;

/** A rate per unit of time (Pismo: `{ value: 0.12, unit: 'YEAR' }`, a fraction: 0.12 is 12 %). */
export interface RateInput {
  value: DecimalInput;
  /** Default YEAR. */
  unit?: TimeUnit;
}

export type RepaymentModeInput = RepaymentModeType | { type: RepaymentModeType };

/** A simulation's stage: its rate and its period, a duration (or a count of installments when it has no unit). */
export interface StageInput {
  interest_rate: RateInput;
  period: { value: number; unit?: TimeUnit };
  /** Overrides the product's stage at the same position. */
  repayment_mode?: RepaymentModeInput;
  moratorium_interest_rate?: RateInput;
}

/** A product's stage (Pismo v1 LoanProductStage), matched to the simulation's stages by position. */
export interface ProductStage {
  repayment_mode: RepaymentModeInput;
  /** The rate interest accrues at during a MORATORIUM stage (default: the stage's own rate). */
  moratorium_interest_rate?: RateInput;
}

/** A charge plan (Pismo v1): fixed, or a percentage (0–100) of the loan amount with min/max. */
export interface ChargeDefinition {
  code?: string;
  type: ChargeType;
  collection_method: ChargeCollection;
  fixed_amount?: { value: DecimalInput };
  percentage?: { value: DecimalInput; min_charged_amount?: DecimalInput; max_charged_amount?: DecimalInput };
}

export interface ScheduleProduct {
  /** ISO 4217 alphabetic (`BRL`) or numeric (`986`) code. */
  currency: string | number;
  repayment_calculation_method: RepaymentCalculationMethod;
  repayment_frequency: RepaymentFrequency;
  /** Default ACTUAL_ACTUAL (the seed's simulation echoes it). */
  days_in_year_method?: DaysInYearMethod;
  /** Default SAME_AS_REPAYMENT_PERIOD. */
  interest_calculation_period?: InterestCalculationPeriod;
  /** Default HALF_EVEN. */
  rounding_mode?: RoundingMode;
  /** An amount: installments are rounded to a multiple of it (the last takes the remainder). */
  installment_amount_in_multiples_of?: DecimalInput;
  grace_on_principal_periods?: number;
  grace_on_interest_payment_periods?: number;
  interest_free_periods?: number;
  stages?: ProductStage[];
  /** BNPL: a percentage (0–100) of the loan amount due on the disbursement date. */
  down_payment?: { percentage: DecimalInput };
  charges?: ChargeDefinition[];
}

/** Moves a date (`YYYY-MM-DD`) to a business day of the program's calendar; the caller supplies it. */
export type BusinessDayAdjuster = (isoDate: string) => string;

export interface ScheduleRequest {
  product: ScheduleProduct;
  loan_amount: DecimalInput;
  start_date: DateInput;
  /** Default start_date. */
  disbursement_date?: DateInput;
  /**
   * Multiple disbursements (tranches, a product whose disbursement type is MULTIPLE): dates
   * strictly ascending, the first on or after start_date, every one before the maturity date;
   * amounts > 0 summing to loan_amount. Replaces disbursement_date. One tranche is the same as
   * disbursement_date. docs/lending.md ("Tranches") states how each tranche bears interest.
   */
  tranches?: TrancheInput[];
  /** Default start_date + one repayment period; another date makes a broken first period. */
  first_due_date?: DateInput;
  /**
   * The day of the month monthly due dates keep (clamped to each month's end). Default: the
   * anchor's day (first_due_date, else start_date). A re-schedule passes the loan's own day, so a
   * loan started on the 31st still falls due on the 31st after a period that ended on the 28th.
   */
  due_day_of_month?: number;
  /** The simulation's stages; or `interest_rate` + `number_of_installments` for one stage. */
  stages?: StageInput[];
  interest_rate?: RateInput;
  number_of_installments?: number;
  /** Default: no adjustment (real_due_date = due_date). */
  business_day?: BusinessDayAdjuster;
  /** A fixed installment (principal + interest) instead of the computed one: re-scheduling for a shorter TERM. */
  installment_amount?: DecimalInput;
}

/** One disbursement of a loan paid out in several (its principal). */
export interface TrancheInput {
  date: DateInput;
  amount: DecimalInput;
}

export interface ScheduleInstallment {
  number: number;
  stage: number;
  repayment_mode: RepaymentModeType;
  due_date: string;
  real_due_date: string;
  /** Calendar days from the period's start to its due date. */
  number_of_days: number;
  /** The balance the period starts with plus any tranche disbursed within it. */
  opening_balance: Money;
  principal: Money;
  /** Interest due in this installment (with any deferred interest it collects). */
  interest: Money;
  /** Interest accrued in the period (0 when interest-free; deferred in grace and moratorium). */
  accrued_interest: Money;
  fee: Money;
  tax: Money;
  charge: Money;
  /** fee + tax + charge. */
  fees: Money;
  payment_amount: Money;
  closing_balance: Money;
}

export interface ChargeAmount {
  code?: string;
  type: ChargeType;
  collection_method: ChargeCollection;
  amount: Money;
}

export interface ScheduleTotals {
  principal: Money;
  interest: Money;
  fee: Money;
  tax: Money;
  charge: Money;
  fees: Money;
  /** Σ payment_amount over the installments. */
  installments: Money;
  down_payment: Money;
  /** Charges collected UPFRONT on the disbursement date. */
  upfront: Money;
  /** Everything the borrower pays: installments + down payment + upfront charges. */
  total_payment_amount: Money;
}

export interface Schedule {
  currency: Currency;
  loan_amount: Money;
  start_date: string;
  maturity_date: string;
  number_of_installments: number;
  /** The periodic and annual nominal rates per stage, as decimal text. */
  stages: { number: number; repayment_mode: RepaymentModeType; installments: number; annual_rate: string; periodic_rate: string }[];
  installments: ScheduleInstallment[];
  down_payment: { amount: Money; due_date: string } | null;
  charges: ChargeAmount[];
  upfront: { due_date: string; fee: Money; tax: Money; charge: Money; total: Money };
  /** The first (or only) disbursement: disbursements[0]. */
  disbursement: ScheduleDisbursement;
  /** Every disbursement (tranche) in date order; charges deducted come off the first. */
  disbursements: ScheduleDisbursement[];
  totals: ScheduleTotals;
}

/** A disbursement: its principal, the charges deducted from it, and the amount paid out. */
export interface ScheduleDisbursement {
  date: string;
  principal: Money;
  fee: Money;
  tax: Money;
  charge: Money;
  amount: Money;
}

interface ResolvedStage {
  mode: RepaymentModeType;
  count: number;
  annual: Ratio;
  /** Annual rate interest accrues at (the moratorium rate in a MORATORIUM stage). */
  accrualAnnual: Ratio;
}

const modeOf = (m: RepaymentModeInput | undefined): RepaymentModeType | undefined => (typeof m === 'string' ? m : m?.type);

function requireDate(input: DateInput | undefined, field: string): CivilDate {
  const d = input === undefined ? undefined : parseDate(input);
  if (!d) throw ScheduleErrors.notValid(field, 'must be a date YYYY-MM-DD');
  return d;
}

/** The product's currency (ISO 4217 alphabetic or numeric code); ELND0003 when it is none. */
export function currencyOf(code: string | number): Currency {
  try {
    return typeof code === 'number' || isCurrencyNumericCode(code) ? currencyByNumeric(code) : currencyByCode(code);
  } catch {
    throw ScheduleErrors.notValid('currency', 'is not an ISO 4217 currency');
  }
}

const AMOUNT_TEXT = /^(\d+)(?:\.(\d+))?$/;

function amountMinor(value: DecimalInput, currency: Currency, field: string): bigint {
  const m = typeof value === 'string' ? AMOUNT_TEXT.exec(value) : null;
  if (m && (m[2] ?? '').length <= currency.exponent) {
    // Plain decimal text within the currency's minor unit: exact, without a Decimal.
    return BigInt(m[1]! + (m[2] ?? '').padEnd(currency.exponent, '0'));
  }
  try {
    return Money.fromDecimal(value, currency).minor;
  } catch (err) {
    if (err instanceof MoneyError) throw ScheduleErrors.notValid(field, err.message);
    throw err;
  }
}

function rateOf(input: RateInput | undefined, field: string, method: DaysInYearMethod): Ratio {
  if (!input) throw ScheduleErrors.notValid(field, 'is required');
  let r: Ratio;
  try {
    r = ratioOf(input.value);
  } catch {
    throw ScheduleErrors.notValid(`${field}.value`, 'must be a number');
  }
  if (r.n < 0n) throw ScheduleErrors.negativeRate(`${field}.value`);
  const unit = input.unit ?? 'YEAR';
  if (!TIME_UNITS.includes(unit)) throw ScheduleErrors.notValid(`${field}.unit`, `must be one of ${TIME_UNITS.join(', ')}`);
  return mul(r, ratio(unitsPerYear(unit, method)));
}

function nonNegativeInt(value: number | undefined, field: string): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw ScheduleErrors.notValid(field, 'must be a whole number ≥ 0');
  return value;
}

/** The level installment repaying `balance` over `n` periods at `rate` per period, in minor units. */
export function annuityPayment(balance: bigint, rate: Ratio, n: number, mode: RoundingMode): bigint {
  if (n <= 0) return balance;
  if (rate.n === 0n) return roundDiv(balance, BigInt(n), mode);
  // PMT = B·r / (1 − (1 + r)^−n) = B·r·(1 + r)^n / ((1 + r)^n − 1), with r = a/b exactly:
  // B·a·(a + b)^n / (b·((a + b)^n − b^n)). Big integers, one rounding: no precision limit at all.
  const n_ = BigInt(n);
  const up = (rate.d + rate.n) ** n_;
  return roundDiv(balance * rate.n * up, rate.d * (up - rate.d ** n_), mode);
}

function percentOf(amount: bigint, pct: DecimalInput, field: string, mode: RoundingMode): bigint {
  let p: Ratio;
  try {
    p = ratioOf(pct);
  } catch {
    throw ScheduleErrors.notValid(field, 'must be a number');
  }
  if (p.n < 0n) throw ScheduleErrors.notValid(field, 'must be positive');
  return mulRound(amount, { n: p.n, d: p.d * 100n }, mode);
}

function chargeAmounts(defs: ChargeDefinition[], loan: bigint, currency: Currency, mode: RoundingMode): { def: ChargeDefinition; minor: bigint }[] {
  return defs.map((def, i) => {
    const field = `charges[${i}]`;
    if (!['FEE', 'TAX', 'CHARGE'].includes(def.type)) throw ScheduleErrors.notValid(`${field}.type`, 'must be one of FEE, TAX, CHARGE');
    if (!['DEDUCT', 'UPFRONT', 'AMORTISED'].includes(def.collection_method)) {
      throw ScheduleErrors.notValid(`${field}.collection_method`, 'must be one of DEDUCT, UPFRONT, AMORTISED');
    }
    if (def.fixed_amount && def.percentage) throw ScheduleErrors.chargeBothKinds(field);
    if (def.fixed_amount) return { def, minor: amountMinor(def.fixed_amount.value, currency, `${field}.fixed_amount.value`) };
    if (!def.percentage) throw ScheduleErrors.chargeNoKind(field);
    let minor = percentOf(loan, def.percentage.value, `${field}.percentage.value`, mode);
    const min = def.percentage.min_charged_amount === undefined ? undefined : amountMinor(def.percentage.min_charged_amount, currency, `${field}.percentage.min_charged_amount`);
    const max = def.percentage.max_charged_amount === undefined ? undefined : amountMinor(def.percentage.max_charged_amount, currency, `${field}.percentage.max_charged_amount`);
    if (min !== undefined && max !== undefined && max < min) throw ScheduleErrors.chargeMinMax(field);
    if (min !== undefined && minor < min) minor = min;
    if (max !== undefined && minor > max) minor = max;
    return { def, minor };
  });
}

const TYPES: ChargeType[] = ['FEE', 'TAX', 'CHARGE'];

/** The loan's disbursements: the request's tranches checked, else one of the whole amount on disbursement_date (default start_date). */
function resolveTranches(req: ScheduleRequest, start: CivilDate, loan: bigint, currency: Currency): { date: CivilDate; amount: bigint }[] {
  if (req.tranches === undefined) {
    return [{ date: req.disbursement_date === undefined ? start : requireDate(req.disbursement_date, 'disbursement_date'), amount: loan }];
  }
  if (!Array.isArray(req.tranches) || req.tranches.length < 1) throw ScheduleErrors.notValid('tranches', 'must hold at least one tranche');
  const out: { date: CivilDate; amount: bigint }[] = [];
  let sum = 0n;
  for (const [j, tr] of req.tranches.entries()) {
    const date = requireDate(tr.date, `tranches[${j}].date`);
    if (j === 0 && compareDates(date, start) < 0) throw ScheduleErrors.notValid(`tranches[${j}].date`, `must not be before start_date ${formatDate(start)}`);
    if (j > 0 && compareDates(date, out[j - 1]!.date) <= 0) throw ScheduleErrors.notValid(`tranches[${j}].date`, `must be after the previous tranche's date ${formatDate(out[j - 1]!.date)}`);
    const amount = amountMinor(tr.amount, currency, `tranches[${j}].amount`);
    if (amount <= 0n) throw ScheduleErrors.notValid(`tranches[${j}].amount`, 'must be greater than 0');
    sum += amount;
    out.push({ date, amount });
  }
  if (sum !== loan) {
    throw ScheduleErrors.notValid('tranches', `amounts sum to ${Money.ofMinor(sum, currency).toDecimalString()}; the loan amount is ${Money.ofMinor(loan, currency).toDecimalString()}`);
  }
  return out;
}

/**
 * Computes a loan's repayment schedule. Throws AppError (kind `invalid`) with Pismo's ELND codes
 * for input it cannot schedule: ELND0006 past 500 installments, ELND0105 a loan amount ≤ 0, …
 */
export function buildSchedule(req: ScheduleRequest): Schedule {
  const product = req.product;
  const currency = currencyOf(product.currency);
  const mode = product.rounding_mode ?? 'HALF_EVEN';
  if (!ROUNDING_MODES.includes(mode)) throw ScheduleErrors.notValid('rounding_mode', `must be one of ${ROUNDING_MODES.join(', ')}`);
  const method = product.repayment_calculation_method;
  if (!REPAYMENT_CALCULATION_METHODS.includes(method)) {
    throw ScheduleErrors.notValid('repayment_calculation_method', `must be one of ${REPAYMENT_CALCULATION_METHODS.join(', ')}`);
  }
  const dayCountMethod = product.days_in_year_method ?? 'ACTUAL_ACTUAL';
  if (!DAYS_IN_YEAR_METHODS.includes(dayCountMethod)) {
    throw ScheduleErrors.notValid('days_in_year_method', `must be one of ${DAYS_IN_YEAR_METHODS.join(', ')}`);
  }
  const daily = (product.interest_calculation_period ?? 'SAME_AS_REPAYMENT_PERIOD') === 'DAILY';
  if (!daily && product.interest_calculation_period !== undefined && product.interest_calculation_period !== 'SAME_AS_REPAYMENT_PERIOD') {
    throw ScheduleErrors.notValid('interest_calculation_period', 'must be one of SAME_AS_REPAYMENT_PERIOD, DAILY');
  }
  const frequency = product.repayment_frequency;
  if (!frequency || !FREQUENCY_METHODS.includes(frequency.method)) {
    throw ScheduleErrors.notValid('repayment_frequency.method', `must be one of ${FREQUENCY_METHODS.join(', ')}`);
  }
  if (frequency.every !== undefined && (!Number.isSafeInteger(frequency.every) || frequency.every < 1)) {
    throw ScheduleErrors.notValid('repayment_frequency.every', 'must be a whole number ≥ 1');
  }
  const step = frequencyStep(frequency);
  const ppy = periodsPerYear(frequency, dayCountMethod);
  const perPeriod: Ratio = { n: ppy.d, d: ppy.n }; // 1 / periods per year

  const loan = amountMinor(req.loan_amount, currency, 'loan_amount');
  if (loan <= 0n) throw ScheduleErrors.loanAmountNotPositive();
  const multiple =
    product.installment_amount_in_multiples_of === undefined
      ? 0n
      : amountMinor(product.installment_amount_in_multiples_of, currency, 'installment_amount_in_multiples_of');
  if (multiple < 0n) throw ScheduleErrors.notValid('installment_amount_in_multiples_of', 'must be positive');
  const fixedInstallment = req.installment_amount === undefined ? undefined : amountMinor(req.installment_amount, currency, 'installment_amount');
  if (fixedInstallment !== undefined && fixedInstallment <= 0n) throw ScheduleErrors.notValid('installment_amount', 'must be greater than 0');

  const start = requireDate(req.start_date, 'start_date');
  const tranches = resolveTranches(req, start, loan, currency);
  const disbursementDate = tranches[0]!.date;
  const firstDue = req.first_due_date === undefined ? undefined : requireDate(req.first_due_date, 'first_due_date');
  if (firstDue && compareDates(firstDue, start) <= 0) throw ScheduleErrors.notValid('first_due_date', 'must be after start_date');
  const brokenFirst = firstDue !== undefined && compareDates(firstDue, nthDate(start, step, 1)) !== 0;
  // Due dates are stepped from one base date, never from the previous (clamped) due date: from
  // first_due_date (installment 1 = base), else from start_date (installment 1 = base + 1 period).
  const base = firstDue ?? start;
  const offset = firstDue ? -1 : 0;
  const dueDay = req.due_day_of_month ?? base.day;
  if (!Number.isSafeInteger(dueDay) || dueDay < 1 || dueDay > 31) throw ScheduleErrors.notValid('due_day_of_month', 'must be between 1 and 31');
  const dueDate = (k: number): CivilDate => {
    if (!step.months || dueDay === base.day) return nthDate(base, step, k + offset);
    const d = nthDate({ year: base.year, month: base.month, day: 1 }, step, k + offset);
    return { year: d.year, month: d.month, day: Math.min(dueDay, daysInMonth(d.year, d.month)) };
  };

  // Stages: the simulation's (rate, period) with the product's modes at the same position.
  const stageInputs: StageInput[] =
    req.stages ??
    (req.interest_rate !== undefined && req.number_of_installments !== undefined
      ? [{ interest_rate: req.interest_rate, period: { value: req.number_of_installments } }]
      : []);
  if (stageInputs.length < 1 || stageInputs.length > MAX_STAGES) throw ScheduleErrors.stagesCount();
  const stages: ResolvedStage[] = [];
  let total = 0;
  for (const [i, s] of stageInputs.entries()) {
    const field = `stages[${i}]`;
    const stageMode = modeOf(s.repayment_mode) ?? modeOf(product.stages?.[i]?.repayment_mode) ?? 'PRINCIPAL_AND_INTEREST';
    if (!REPAYMENT_MODES.includes(stageMode)) throw ScheduleErrors.notValid(`${field}.repayment_mode`, `must be one of ${REPAYMENT_MODES.join(', ')}`);
    const annual = rateOf(s.interest_rate, `${field}.interest_rate`, dayCountMethod);
    const moratoriumRate = s.moratorium_interest_rate ?? product.stages?.[i]?.moratorium_interest_rate;
    const accrualAnnual = stageMode === 'MORATORIUM' && moratoriumRate ? rateOf(moratoriumRate, `${field}.moratorium_interest_rate`, dayCountMethod) : annual;
    const period = s.period;
    if (!period || typeof period.value !== 'number' || !Number.isFinite(period.value)) throw ScheduleErrors.notValid(`${field}.period.value`, 'is required');
    if (period.value < 0) throw ScheduleErrors.negativePeriod(`${field}.period.value`);
    let count: number | undefined;
    if (period.unit === undefined) count = Number.isSafeInteger(period.value) ? period.value : undefined;
    else {
      if (!TIME_UNITS.includes(period.unit)) throw ScheduleErrors.notValid(`${field}.period.unit`, `must be one of ${TIME_UNITS.join(', ')}`);
      // Past the limit already: no need to walk dates further.
      if (period.value > MAX_INSTALLMENTS * 400) throw ScheduleErrors.tooManyInstallments(Math.ceil(period.value));
      const from = total === 0 ? start : dueDate(total);
      count = installmentsIn({ value: period.value, unit: period.unit }, frequency, from);
    }
    if (count === undefined) throw ScheduleErrors.notValid(`${field}.period`, 'is not a whole number of repayment periods');
    total += count;
    if (total > MAX_INSTALLMENTS) throw ScheduleErrors.tooManyInstallments(total);
    stages.push({ mode: stageMode, count, annual, accrualAnnual });
  }
  const N = total;
  if (N < 1) throw ScheduleErrors.notValid('stages', 'hold no installment');
  const lastStage = stages.findLastIndex((s) => s.count > 0);
  if (stages[lastStage]!.mode === 'MORATORIUM') throw ScheduleErrors.noCollectableLastStage();
  const firstCollecting = stages.findIndex((s) => s.count > 0 && s.mode !== 'MORATORIUM');
  if (stages.some((s, i) => s.mode === 'MORATORIUM' && s.count > 0 && i > firstCollecting)) throw ScheduleErrors.moratoriumBetweenStages();

  const gracePrincipal = nonNegativeInt(product.grace_on_principal_periods, 'grace_on_principal_periods');
  const graceInterest = nonNegativeInt(product.grace_on_interest_payment_periods, 'grace_on_interest_payment_periods');
  const interestFree = nonNegativeInt(product.interest_free_periods, 'interest_free_periods');

  // Per installment: its stage, mode, period start and due date, and the rate interest accrues at.
  const stageOf = new Int32Array(N + 1);
  const modes: RepaymentModeType[] = new Array<RepaymentModeType>(N + 1);
  const dues: CivilDate[] = new Array<CivilDate>(N + 1);
  const rates: Ratio[] = new Array<Ratio>(N + 1);
  dues[0] = start;
  for (let s = 0, k = 1; s < stages.length; s++) {
    const st = stages[s]!;
    const nominal = mul(st.accrualAnnual, perPeriod);
    for (let j = 0; j < st.count; j++, k++) {
      stageOf[k] = s;
      modes[k] = st.mode;
      dues[k] = dueDate(k);
      rates[k] =
        daily || (k === 1 && brokenFirst) ? mul(st.accrualAnnual, yearFraction(dayCountMethod, dues[k - 1]!, dues[k]!, k === N)) : nominal;
    }
  }
  // Tranches after the first: each lands in the period k with dues[k-1] ≤ date < dues[k] and adds
  // to that period's opening balance; its interest in k runs for the days from its date to the
  // due date (out of the period's days). The first tranche bears interest from start_date, as a
  // single disbursement always has.
  const landing: { k: number; amount: bigint; out: bigint; days: bigint }[] = [];
  for (const [j, tr] of tranches.entries()) {
    if (j === 0) continue;
    if (compareDates(tr.date, dues[N]!) >= 0) throw ScheduleErrors.notValid(`tranches[${j}].date`, `must be before the maturity date ${formatDate(dues[N]!)}`);
    let k = 1;
    while (compareDates(tr.date, dues[k]!) >= 0) k++;
    landing.push({ k, amount: tr.amount, out: BigInt(daysBetween(tr.date, dues[k]!)), days: BigInt(daysBetween(dues[k - 1]!, dues[k]!)) });
  }
  const multi = landing.length > 0;
  // Per installment: the principal disbursed within it, and Σ amount × days out (the part of the
  // period those tranches were out, times the period's days).
  const addedIn = new Array<bigint>(N + 1).fill(0n);
  const exposureIn = new Array<bigint>(N + 1).fill(0n);
  for (const l of landing) {
    addedIn[l.k] = addedIn[l.k]! + l.amount;
    exposureIn[l.k] = exposureIn[l.k]! + l.amount * l.out;
  }
  const periodDays = (k: number): bigint => BigInt(daysBetween(dues[k - 1]!, dues[k]!));
  // Interest at `rate` on `carried` for the whole period k plus the tranches landing in k for their days out.
  const accrue = (carried: bigint, k: number, rate: Ratio): bigint => {
    if (exposureIn[k] === 0n) return mulRound(carried, rate, mode);
    const days = periodDays(k);
    return roundDiv(rate.n * (carried * days + exposureIn[k]!), rate.d * days, mode);
  };

  const amortizing = (k: number): boolean => modes[k] === 'PRINCIPAL_AND_INTEREST' && k > gracePrincipal;
  const paying = (k: number): boolean => modes[k] !== 'MORATORIUM' || k === N;
  // Suffix counts: amortizing and paying installments from k to N.
  const amortFrom = new Int32Array(N + 2);
  const payingFrom = new Int32Array(N + 2);
  for (let k = N; k >= 1; k--) {
    amortFrom[k] = amortFrom[k + 1]! + (amortizing(k) ? 1 : 0);
    payingFrom[k] = payingFrom[k + 1]! + (paying(k) ? 1 : 0);
  }

  // Down payment (BNPL) and charges.
  const downPayment = product.down_payment ? percentOf(loan, product.down_payment.percentage, 'down_payment.percentage', mode) : 0n;
  if (downPayment >= loan) throw ScheduleErrors.notValid('down_payment.percentage', 'must leave some of the loan to repay');
  if (downPayment > 0n && multi) throw ScheduleErrors.notValid('tranches', 'a loan with a down payment is disbursed once');
  const principalToRepay = loan - downPayment;
  const charges = chargeAmounts(product.charges ?? [], loan, currency, mode);
  const byCollection = (c: ChargeCollection, t: ChargeType): bigint =>
    charges.reduce((sum, x) => (x.def.collection_method === c && x.def.type === t ? sum + x.minor : sum), 0n);
  const amortised = TYPES.map((t) => byCollection('AMORTISED', t));

  // Flat methods: interest on the amount repaid, not on the balance. ADD_ON_INTEREST: the whole
  // term's interest once, spread evenly over the interest-bearing installments.
  const bearing = (k: number): boolean => k > interestFree;
  let addOnLeft = 0n;
  let addOnBearingLeft = 0;
  let addOnLevel = 0n;
  if (method === 'ADD_ON_INTEREST') {
    let sum: Ratio = { n: 0n, d: 1n };
    for (let k = 1; k <= N; k++) {
      if (!bearing(k)) continue;
      const r = rates[k]!;
      sum = sum.d === r.d ? { n: sum.n + r.n, d: sum.d } : { n: sum.n * r.d + r.n * sum.d, d: sum.d * r.d };
      addOnBearingLeft++;
    }
    if (multi) {
      // Each tranche's interest from its own date: Σ over bearing periods of rate × the amount out.
      let exact: Ratio = { n: 0n, d: 1n };
      let out = principalToRepay - landing.reduce((s, l) => s + l.amount, 0n);
      for (let k = 1; k <= N; k++) {
        const days = periodDays(k);
        if (bearing(k)) exact = add(exact, mul(rates[k]!, { n: out * days + exposureIn[k]!, d: days }));
        out += addedIn[k]!;
      }
      addOnLeft = roundDiv(exact.n, exact.d, mode);
    } else addOnLeft = mulRound(principalToRepay, sum, mode);
    addOnLevel = addOnBearingLeft > 0 ? roundDiv(addOnLeft, BigInt(addOnBearingLeft), mode) : 0n;
  }

  const adjust = req.business_day;
  const zero = Money.zero(currency);
  const m = (minor: bigint): Money => (minor === 0n ? zero : Money.ofMinor(minor, currency));
  const installments: ScheduleInstallment[] = [];
  const feeLeft = [...amortised];
  // Equal shares over the paying installments; the last takes what is left.
  const feeLevel = amortised.map((a) => roundDiv(a, BigInt(payingFrom[1]!), mode));
  // With tranches the balance starts at the first and grows as each is disbursed.
  let balance = principalToRepay - landing.reduce((s, l) => s + l.amount, 0n);
  let disbursed = balance; // principal disbursed before the current period (FLAT_BASIS)
  let deferredGrace = 0n; // interest deferred by grace on interest payment
  let deferredMoratorium = 0n; // interest accrued in a moratorium, amortized over the rest
  let moratoriumLevel = 0n;
  let level = 0n; // EI: the installment; flat / equal principal: the principal per installment
  let sumPrincipal = 0n;
  let sumInterest = 0n;
  const sumFees = [0n, 0n, 0n];

  for (let k = 1; k <= N; k++) {
    const kMode = modes[k]!;
    const carried = balance;
    balance += addedIn[k]!;
    const opening = balance;
    const last = k === N;

    // Interest accrued in the period.
    let accrued: bigint;
    if (!bearing(k)) accrued = 0n;
    else if (method === 'ADD_ON_INTEREST') {
      accrued = --addOnBearingLeft === 0 ? addOnLeft : addOnLevel < addOnLeft ? addOnLevel : addOnLeft;
      addOnLeft -= accrued;
    } else if (method === 'FLAT_BASIS') accrued = multi ? accrue(disbursed, k, rates[k]!) : mulRound(principalToRepay, rates[k]!, mode);
    else accrued = accrue(carried, k, rates[k]!);
    disbursed += addedIn[k]!;

    // Interest due now.
    let interest = 0n;
    if (kMode === 'MORATORIUM' && !last) deferredMoratorium += accrued;
    else if (k <= graceInterest && !last) deferredGrace += accrued;
    else {
      interest = accrued + deferredGrace;
      deferredGrace = 0n;
      if (deferredMoratorium > 0n) {
        // Equal shares fixed when the moratorium ends; the last installment takes what is left.
        if (moratoriumLevel === 0n) moratoriumLevel = roundDiv(deferredMoratorium, BigInt(payingFrom[k]!), mode);
        const share = last || moratoriumLevel > deferredMoratorium ? deferredMoratorium : moratoriumLevel;
        interest += share;
        deferredMoratorium -= share;
      }
    }

    // Principal due now.
    let principal = 0n;
    if (last) principal = balance;
    else if (amortizing(k)) {
      // A tranche disbursed within the period re-amortizes the balance from this installment on.
      const segmentStart = k === 1 || !amortizing(k - 1) || stageOf[k] !== stageOf[k - 1] || addedIn[k]! > 0n;
      const left = amortFrom[k]!;
      if (method === 'EI_REDUCING_BALANCE') {
        if (segmentStart) {
          level =
            fixedInstallment ??
            roundToMultiple(annuityPayment(balance, mul(stages[stageOf[k]!]!.annual, perPeriod), left, mode), multiple, mode);
        }
        principal = level - accrued;
      } else {
        if (segmentStart) level = roundDiv(balance, BigInt(left), mode);
        if (fixedInstallment !== undefined) principal = fixedInstallment - accrued;
        else if (method === 'EQUAL_PRINCIPAL') principal = multiple > 1n ? roundToMultiple(level + accrued, multiple, mode) - accrued : level;
        else principal = multiple > 1n ? roundToMultiple(level, multiple, mode) + roundToMultiple(accrued, multiple, mode) - accrued : level;
      }
      if (principal < 0n) principal = 0n;
      if (principal > balance) principal = balance;
    }
    balance -= principal;

    // Amortised charges over the paying installments, the last taking the remainder.
    const fees = [0n, 0n, 0n];
    if (paying(k)) {
      for (let t = 0; t < 3; t++) {
        if (feeLeft[t] === 0n) continue;
        const share = last || feeLevel[t]! > feeLeft[t]! ? feeLeft[t]! : feeLevel[t]!;
        fees[t] = share;
        feeLeft[t]! -= share;
      }
    }
    const feeTotal = fees[0]! + fees[1]! + fees[2]!;
    sumPrincipal += principal;
    sumInterest += interest;
    for (let t = 0; t < 3; t++) sumFees[t]! += fees[t]!;

    const due = formatDate(dues[k]!);
    installments.push({
      number: k,
      stage: stageOf[k]! + 1,
      repayment_mode: kMode,
      due_date: due,
      real_due_date: adjust ? adjust(due) : due,
      number_of_days: daysBetween(dues[k - 1]!, dues[k]!),
      opening_balance: m(opening),
      principal: m(principal),
      interest: m(interest),
      accrued_interest: m(accrued),
      fee: m(fees[0]!),
      tax: m(fees[1]!),
      charge: m(fees[2]!),
      fees: m(feeTotal),
      payment_amount: m(principal + interest + feeTotal),
      closing_balance: m(balance),
    });
  }

  const upfront = TYPES.map((t) => byCollection('UPFRONT', t));
  const deducted = TYPES.map((t) => byCollection('DEDUCT', t));
  const upfrontTotal = upfront[0]! + upfront[1]! + upfront[2]!;
  const deductedTotal = deducted[0]! + deducted[1]! + deducted[2]!;
  // Charges deducted come off the first tranche (the whole loan when there is one).
  const firstTranche = tranches[0]!.amount;
  if (deductedTotal >= firstTranche) throw ScheduleErrors.notValid('charges', multi ? 'deducted charges must leave something of the first tranche to disburse' : 'deducted charges must leave something to disburse');
  const installmentsTotal = sumPrincipal + sumInterest + sumFees[0]! + sumFees[1]! + sumFees[2]!;
  const disbursementIso = formatDate(disbursementDate);
  const disbursements: ScheduleDisbursement[] = tranches.map((tr, j) => ({
    date: formatDate(tr.date),
    principal: m(tr.amount),
    fee: j === 0 ? m(deducted[0]!) : zero,
    tax: j === 0 ? m(deducted[1]!) : zero,
    charge: j === 0 ? m(deducted[2]!) : zero,
    amount: m(j === 0 ? tr.amount - deductedTotal : tr.amount),
  }));

  return {
    currency,
    loan_amount: m(loan),
    start_date: formatDate(start),
    maturity_date: formatDate(dues[N]!),
    number_of_installments: N,
    stages: stages.map((s, i) => ({
      number: i + 1,
      repayment_mode: s.mode,
      installments: s.count,
      annual_rate: toDecimal(s.annual).toString(),
      periodic_rate: toDecimal(mul(s.annual, perPeriod)).toString(),
    })),
    installments,
    down_payment: downPayment > 0n ? { amount: m(downPayment), due_date: disbursementIso } : null,
    charges: charges.map((c) => ({
      ...(c.def.code === undefined ? {} : { code: c.def.code }),
      type: c.def.type,
      collection_method: c.def.collection_method,
      amount: m(c.minor),
    })),
    upfront: { due_date: disbursementIso, fee: m(upfront[0]!), tax: m(upfront[1]!), charge: m(upfront[2]!), total: m(upfrontTotal) },
    disbursement: disbursements[0]!,
    disbursements,
    totals: {
      principal: m(sumPrincipal),
      interest: m(sumInterest),
      fee: m(sumFees[0]!),
      tax: m(sumFees[1]!),
      charge: m(sumFees[2]!),
      fees: m(sumFees[0]! + sumFees[1]! + sumFees[2]!),
      installments: m(installmentsTotal),
      down_payment: m(downPayment),
      upfront: m(upfrontTotal),
      total_payment_amount: m(installmentsTotal + downPayment + upfrontTotal),
    },
  };
}
