// Pay-off quotes and prepayment re-schedules (pure), on top of the schedule engine.
import { Money } from '../../platform/money.js';
import { type DateInput, compareDates, daysBetween, formatDate, parseDate } from './lending.dates.js';
import { ScheduleErrors } from './lending.schedule.errors.js';
import { Dec, type Ratio, type RoundingMode, mul, mulRound, ratio, ratioOf, roundDiv, toDecimal } from './lending.rounding.js';
import { periodsPerYear, unitsPerYear } from './lending.frequency.js';
import {
  type BusinessDayAdjuster,
  type DecimalInput,
  type RateInput,
  type Schedule,
  type ScheduleProduct,
  type StageInput,
  annuityPayment,
  buildSchedule,
  currencyOf,
  MAX_INSTALLMENTS,
} from './lending.schedule.js';

/** What is still owed on one installment, with its period (start = the previous due date). */
export interface OpenInstallment {
  number: number;
  period_start: string;
  due_date: string;
  principal: Money;
  interest: Money;
  fee: Money;
  tax: Money;
  charge: Money;
  penalty: Money;
}

export interface PayoffRequest {
  installments: OpenInstallment[];
  settlement_date: DateInput;
  /** SETTLEMENT_DATE (default): the current period's interest pro rata to the day; PERIOD_END: all of it. */
  interest_to?: 'SETTLEMENT_DATE' | 'PERIOD_END';
  /** Early-settlement penalty (Pismo: PERCENTAGE as a fraction 0–1 of the outstanding principal, or FIXED_AMOUNT). */
  penalty?: { type: 'PERCENTAGE' | 'FIXED_AMOUNT'; value: DecimalInput };
  rounding_mode?: RoundingMode;
}

export interface PayoffQuote {
  settlement_date: string;
  /** Installments still open. */
  installments: number;
  principal: Money;
  interest: Money;
  fee: Money;
  tax: Money;
  charge: Money;
  /** Penalties already charged on late installments. */
  penalty: Money;
  /** The early-settlement penalty. */
  settlement_penalty: Money;
  total: Money;
}

/**
 * The amount that settles a loan on a date: every open installment's principal; for installments
 * due on or before the date everything they owe; for the period running on the date its interest
 * to that day (days elapsed ÷ days in the period of its scheduled interest) and its charges;
 * nothing of later periods' interest or charges; plus the settlement penalty.
 */
export function payoffQuote(req: PayoffRequest): PayoffQuote {
  const mode = req.rounding_mode ?? 'HALF_EVEN';
  const on = parseDate(req.settlement_date);
  if (!on) throw ScheduleErrors.notValid('settlement_date', 'must be a date YYYY-MM-DD');
  const first = req.installments[0];
  if (!first) throw ScheduleErrors.notValid('installments', 'has no open installment');
  const zero = Money.zero(first.principal.currency);
  let principal = zero;
  let interest = zero;
  let fee = zero;
  let tax = zero;
  let charge = zero;
  let penalty = zero;
  for (const inst of req.installments) {
    const start = parseDate(inst.period_start);
    const due = parseDate(inst.due_date);
    if (!start || !due) throw ScheduleErrors.notValid(`installments[${inst.number}]`, 'has a bad date');
    principal = principal.add(inst.principal);
    penalty = penalty.add(inst.penalty);
    if (compareDates(due, on) <= 0 || (compareDates(start, on) < 0 && req.interest_to === 'PERIOD_END')) {
      interest = interest.add(inst.interest);
    } else if (compareDates(start, on) < 0) {
      const elapsed = BigInt(daysBetween(start, on));
      const days = BigInt(daysBetween(start, due));
      interest = interest.add(Money.ofMinor(roundDiv(inst.interest.minor * elapsed, days, mode), inst.interest.currency));
    } else continue; // a later period: principal only
    fee = fee.add(inst.fee);
    tax = tax.add(inst.tax);
    charge = charge.add(inst.charge);
  }
  let settlementPenalty = zero;
  if (req.penalty) {
    const v = ratioOf(req.penalty.value);
    if (v.n < 0n) throw ScheduleErrors.notValid('penalty.value', 'must not be negative');
    if (req.penalty.type === 'PERCENTAGE') {
      if (v.n > v.d) throw ScheduleErrors.notValid('penalty.value', 'must be between 0 and 1');
      settlementPenalty = Money.ofMinor(mulRound(principal.minor, v, mode), principal.currency);
    } else settlementPenalty = Money.fromDecimal(req.penalty.value, principal.currency);
  }
  return {
    settlement_date: formatDate(on),
    installments: req.installments.length,
    principal,
    interest,
    fee,
    tax,
    charge,
    penalty,
    settlement_penalty: settlementPenalty,
    total: principal.add(interest).add(fee).add(tax).add(charge).add(penalty).add(settlementPenalty),
  };
}

export interface PrepaymentRequest {
  product: ScheduleProduct;
  /** The rate of the remaining term (a loan of one stage). */
  interest_rate: RateInput;
  /**
   * A loan of several stages: the stages still to run, in order, each with its rate, its
   * repayment mode and its remaining installments as `period.value` (no unit). Replaces
   * `interest_rate`; their installments add up to `remaining_installments`.
   */
  stages?: StageInput[];
  /** Principal outstanding before the prepayment. */
  outstanding_principal: DecimalInput;
  /** The part of the payment that goes to principal. */
  amount_paid: DecimalInput;
  /** Where the remaining term starts (the last due date passed, or the prepayment date). */
  period_start: DateInput;
  /** The next due date. */
  next_due_date: DateInput;
  /** Installments left before the prepayment. */
  remaining_installments: number;
  /** The current installment (principal + interest): TERM keeps it. */
  current_installment: DecimalInput;
  reduce: 'INSTALLMENT' | 'TERM';
  /** The day of the month the loan falls due on (its original schedule's), kept by the new schedule. */
  due_day_of_month?: number;
  business_day?: BusinessDayAdjuster;
}

export interface PrepaymentResult {
  reduce: 'INSTALLMENT' | 'TERM';
  outstanding_principal: Money;
  installments_before: number;
  schedule: Schedule;
  /** Several stages: the same remaining stages scheduled on the balance before the payment (what the loan's rows hold, but for interest carried from earlier periods). */
  before?: Schedule;
}

/**
 * Re-schedules what remains after a prepayment. INSTALLMENT keeps the maturity and re-amortizes
 * the lower balance over the same installments; TERM keeps the installment and shortens the term
 * to the fewest installments that repay the balance (the last one smaller). Down payment, charges
 * and grace periods belong to the original schedule and are not applied again.
 */
export function reschedulePrepayment(req: PrepaymentRequest): PrepaymentResult {
  const product: ScheduleProduct = {
    ...req.product,
    down_payment: undefined,
    charges: undefined,
    grace_on_principal_periods: undefined,
    grace_on_interest_payment_periods: undefined,
    interest_free_periods: undefined,
    stages: undefined,
  };
  const currency = currencyOf(product.currency);
  const before = Money.fromDecimal(req.outstanding_principal, currency);
  const paid = Money.fromDecimal(req.amount_paid, currency);
  if (!paid.minor || paid.isNegative()) throw ScheduleErrors.notValid('amount_paid', 'must be positive');
  if (paid.compare(before) >= 0) throw ScheduleErrors.prepaymentNotBelowPrincipal();
  const n = req.remaining_installments;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_INSTALLMENTS) throw ScheduleErrors.notValid('remaining_installments', 'must be between 1 and 500');
  const balance = before.subtract(paid);
  const mode = product.rounding_mode ?? 'HALF_EVEN';
  const dates = {
    product,
    start_date: req.period_start,
    first_due_date: req.next_due_date,
    ...(req.business_day ? { business_day: req.business_day } : {}),
    ...(req.due_day_of_month === undefined ? {} : { due_day_of_month: req.due_day_of_month }),
  };
  if (req.stages && req.stages.length > 1) return rescheduleStages(req, req.stages, dates, before, balance);
  const base = { ...dates, loan_amount: balance.toDecimalString(), interest_rate: req.interest_rate };
  if (req.reduce === 'INSTALLMENT') {
    return { reduce: 'INSTALLMENT', outstanding_principal: balance, installments_before: n, schedule: buildSchedule({ ...base, number_of_installments: n }) };
  }
  if (req.reduce !== 'TERM') throw ScheduleErrors.notValid('reduce_option', 'must be one of INSTALLMENT, TERM');
  const installment = Money.fromDecimal(req.current_installment, currency).minor;
  const method = product.days_in_year_method ?? 'ACTUAL_ACTUAL';
  const ppy = periodsPerYear(product.repayment_frequency, method);
  const annual = mul(ratioOf(req.interest_rate.value), ratio(unitsPerYear(req.interest_rate.unit ?? 'YEAR', method)));
  const periodic = mul(annual, { n: ppy.d, d: ppy.n });
  let count: number;
  if (product.repayment_calculation_method === 'EI_REDUCING_BALANCE') {
    // The fewest installments whose annuity fits within the current installment.
    count = termFor(balance.minor, periodic, installment, n, mode);
    return {
      reduce: 'TERM',
      outstanding_principal: balance,
      installments_before: n,
      schedule: buildSchedule({ ...base, number_of_installments: count, installment_amount: Money.ofMinor(installment, currency).toDecimalString() }),
    };
  }
  // Level principal: keep the principal per installment.
  const perInstallment = roundDiv(before.minor, BigInt(n), mode);
  count = Math.max(1, Math.min(n, Number((balance.minor + perInstallment - 1n) / (perInstallment > 0n ? perInstallment : 1n))));
  return { reduce: 'TERM', outstanding_principal: balance, installments_before: n, schedule: buildSchedule({ ...base, number_of_installments: count }) };
}

/**
 * A prepayment on a loan of several stages. The stages still to run keep their order, modes and
 * rates. INSTALLMENT re-schedules the lower balance over the same installments (each stage
 * re-levels its installment; the maturity stays). TERM shortens the last stage — the earlier ones
 * keep their installments — to the fewest installments whose level installment (principal and
 * the period's interest) is at most the current one, then re-levels it.
 */
function rescheduleStages(
  req: PrepaymentRequest,
  stages: StageInput[],
  dates: Omit<Parameters<typeof buildSchedule>[0], 'loan_amount'>,
  before: Money,
  balance: Money,
): PrepaymentResult {
  const counts = stages.map((s) => s.period.value);
  if (counts.some((c) => !Number.isSafeInteger(c) || c < 1) || counts.reduce((a, b) => a + b, 0) !== req.remaining_installments) {
    throw ScheduleErrors.notValid('stages', 'must count the remaining installments, at least one per stage');
  }
  const lastCount = counts.at(-1)!;
  const build = (amount: Money, last: number) =>
    buildSchedule({ ...dates, loan_amount: amount.toDecimalString(), stages: stages.map((s, i) => (i === stages.length - 1 ? { ...s, period: { value: last } } : s)) });
  const old = build(before, lastCount);
  const n = req.remaining_installments;
  if (req.reduce === 'INSTALLMENT') return { reduce: 'INSTALLMENT', outstanding_principal: balance, installments_before: n, schedule: build(balance, lastCount), before: old };
  if (req.reduce !== 'TERM') throw ScheduleErrors.notValid('reduce_option', 'must be one of INSTALLMENT, TERM');
  // The last stage's first installment, as the engine levels it: principal + the period's interest.
  const firstOfLast = n - lastCount;
  const level = (s: Schedule) => {
    const i = s.installments[firstOfLast]!;
    return i.principal.minor + i.accrued_interest.minor;
  };
  const target = level(old);
  // Fewer installments, a higher installment: the smallest count that stays within the target.
  let lo = 1;
  let hi = lastCount;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (level(build(balance, mid)) <= target) hi = mid;
    else lo = mid + 1;
  }
  return { reduce: 'TERM', outstanding_principal: balance, installments_before: n, schedule: build(balance, lo), before: old };
}

/** Smallest n' ≤ n with annuity(balance, rate, n') ≤ installment (n when none is). */
function termFor(balance: bigint, rate: Ratio, installment: bigint, n: number, mode: RoundingMode): number {
  if (rate.n === 0n) return Math.max(1, Math.min(n, Number((balance + installment - 1n) / installment)));
  // Closed form first, then a step to correct the rounding: n' = −ln(1 − rB/A) / ln(1 + r).
  const r = toDecimal(rate);
  const x = new Dec(1).minus(r.times(balance.toString()).div(installment.toString()));
  let guess = x.lte(0) ? n : Math.ceil(x.ln().neg().div(r.plus(1).ln()).toNumber());
  guess = Math.max(1, Math.min(n, guess));
  while (guess > 1 && annuityPayment(balance, rate, guess - 1, mode) <= installment) guess--;
  while (guess < n && annuityPayment(balance, rate, guess, mode) > installment) guess++;
  return guess;
}
