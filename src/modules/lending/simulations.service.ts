// Loan simulations (POST/GET /lending/v1/simulations): the schedule engine run on a loan product
// and the client's stages, with the product's charge plans, due dates moved to the program
// calendar's business days and the product's rules enforced. A simulation is kept so that it can
// be booked once, until it expires (SIMULATION_TTL_DAYS after it was made).
import { AppError, type FieldIssue } from '../../platform/errors.js';
import { Dec, Money, MoneyError, currencyByNumeric, type Currency } from '../../platform/money.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { RequestContext } from '../../platform/context.js';
import type { TenantTx } from '../../platform/tenant.js';
import { businessDaysOnOrAfter, calendarFor } from '../calendars/index.js';
import type { ChargePlanRow } from './charge-plans.repo.js';
import { addDays, addMonths, compareDates, parseDate, formatDate } from './lending.dates.js';
import { LendingErrors } from './lending.errors.js';
import { once } from './lending.http.js';
import { currencyOf, fromMinor, toMinor } from './lending.money.js';
import { findPlansForUse } from './lending.plans.repo.js';
import { reschedulePrepayment } from './lending.prepayment.js';
import { buildSchedule, type ChargeDefinition, type Schedule, type ScheduleProduct, type StageInput } from './lending.schedule.js';
import { findLoanProduct } from './loan-products.service.js';
import type { LoanProduct } from './loan-products.schemas.js';
import { LoanEvents } from './loans.events.js';
import * as repo from './loans.repo.js';
import type { SimulationAnswer, SimulationBody } from './loans.schemas.js';

export const SIMULATIONS_BASE = '/lending/v1/simulations';
/** How long a simulation can be booked. */
export const SIMULATION_TTL_DAYS = 30;

/** A schedule line as kept with the simulation (minor units as decimal text), what booking copies. */
export interface StoredInstallment {
  number: number;
  due_date: string;
  real_due_date: string;
  number_of_days: number;
  principal: string;
  interest: string;
  fee: string;
  tax: string;
  charge: string;
  closing_balance: string;
}

export interface StoredSchedule {
  installments: StoredInstallment[];
  /** Due on the disbursement date (installment 0 of the loan): down payment and upfront charges. */
  on_disbursement: { due_date: string; principal: string; fee: string; tax: string; charge: string } | null;
  /** The first (or only) disbursement: disbursements[0]. */
  disbursement: StoredDisbursement;
  /** Every disbursement (tranche) in date order; absent from simulations made before tranches. */
  disbursements?: StoredDisbursement[];
  auto: boolean;
  interest_total: string;
  total_payment_amount: string;
  maturity_date: string;
}

export interface StoredDisbursement {
  date: string;
  principal: string;
  fee: string;
  tax: string;
  charge: string;
  amount: string;
}

/** The unit a repayment frequency is written in (the seed's `repayment_frequency.unit`). */
const FREQUENCY_UNIT: Record<string, { unit: string; days?: number }> = {
  DAILY: { unit: 'DAY' },
  WEEKLY: { unit: 'WEEK' },
  BIWEEKLY: { unit: 'FORTNIGHT' },
  FORTNIGHTLY: { unit: 'FORTNIGHT' },
  MONTHLY: { unit: 'MONTH' },
  QUARTERLY: { unit: 'QUARTER' },
  YEARLY: { unit: 'YEAR' },
};

/** Rate units per year, to compare a stage's rate with the product's limits. */
const PER_YEAR: Record<string, number> = { DAY: 365, WEEK: 52, FORTNIGHT: 26, MONTH: 12, QUARTER: 4, YEAR: 1 };
const annual = (r: { value: number; unit: string }) => new Dec(String(r.value)).mul(PER_YEAR[r.unit.toUpperCase()] ?? 1);

/** The engine's name of a field as the request names it: its tranches are the request's disbursement items. */
const requestField = (field: string): string =>
  field
    .replace(/^tranches\[(\d+)\]\.date$/, 'disbursement[$1].due_date')
    .replace(/^tranches\[(\d+)\]\.amount$/, 'disbursement[$1].amount')
    .replace(/^tranches$/, 'disbursement');

/** An engine or money error as a 400 naming the request's field (`body.…`). */
function asRequestError(err: unknown): never {
  if (err instanceof MoneyError) throw LendingErrors.invalid('body.loan_amount', err.message);
  if (err instanceof AppError && Array.isArray(err.details)) {
    const details = (err.details as FieldIssue[]).map((d) => ({ ...d, field: d.field.startsWith('body.') ? d.field : `body.${requestField(d.field)}` }));
    throw new AppError(err.kind, err.code, err.message, details);
  }
  throw err;
}

const m = (money: Money) => money.minor.toString();

const storedDisbursement = (d: Schedule['disbursement']): StoredDisbursement => ({
  date: d.date,
  principal: m(d.principal),
  fee: m(d.fee),
  tax: m(d.tax),
  charge: m(d.charge),
  amount: m(d.amount),
});

/** The product's terms as the engine reads them; the down payment is a fraction in the product, a percentage in the engine. */
function scheduleProduct(product: LoanProduct, charges: ChargePlanRow[], cur: Currency): ScheduleProduct {
  const amount = (minor: bigint | null) => (minor === null ? undefined : Money.ofMinor(minor, cur).toDecimalString());
  const chargeDefs: ChargeDefinition[] = charges.map((c) => ({
    code: c.code,
    type: c.type,
    // DEBIT (debited from the account when due) is collected with the disbursement, like UPFRONT.
    collection_method: c.collection_method === 'DEBIT' ? 'UPFRONT' : c.collection_method,
    ...(c.fixed_amount_minor !== null ? { fixed_amount: { value: amount(c.fixed_amount_minor)! } } : {}),
    ...(c.percentage !== null
      ? {
          percentage: {
            value: c.percentage,
            ...(c.min_charged_minor !== null ? { min_charged_amount: amount(c.min_charged_minor)! } : {}),
            ...(c.max_charged_minor !== null ? { max_charged_amount: amount(c.max_charged_minor)! } : {}),
          },
        }
      : {}),
  }));
  return {
    currency: cur.numeric,
    repayment_calculation_method: product.repayment_calculation_method,
    repayment_frequency: { method: product.repayment_frequency.method ?? 'MONTHLY', ...(product.repayment_frequency.every ? { every: product.repayment_frequency.every } : {}) },
    days_in_year_method: product.days_in_year_method,
    ...(product.interest_calculation_period ? { interest_calculation_period: product.interest_calculation_period } : {}),
    ...(product.rounding_mode ? { rounding_mode: product.rounding_mode } : {}),
    ...(product.installment_amount_in_multiples_of !== undefined ? { installment_amount_in_multiples_of: String(product.installment_amount_in_multiples_of) } : {}),
    ...(product.grace_on_principal_periods !== undefined ? { grace_on_principal_periods: product.grace_on_principal_periods } : {}),
    ...(product.grace_on_interest_payment_periods !== undefined ? { grace_on_interest_payment_periods: product.grace_on_interest_payment_periods } : {}),
    ...(product.interest_free_periods !== undefined ? { interest_free_periods: product.interest_free_periods } : {}),
    stages: product.stages.map((s) => ({
      repayment_mode: s.repayment_mode,
      ...(s.moratorium_interest_rate ? { moratorium_interest_rate: { value: String(s.moratorium_interest_rate.value), unit: s.moratorium_interest_rate.unit.toUpperCase() as 'YEAR' } } : {}),
    })),
    ...(product.down_payment ? { down_payment: { percentage: new Dec(String(product.down_payment.percentage)).mul(100).toFixed() } } : {}),
    ...(chargeDefs.length ? { charges: chargeDefs } : {}),
  };
}

/** The stages as the answer echoes them: every period with its unit. */
function answerStages(body: SimulationBody, product: LoanProduct) {
  const method = product.repayment_frequency.method ?? 'MONTHLY';
  const every = product.repayment_frequency.every ?? 1;
  return body.stages.map((s) => ({
    interest_rate: { value: s.interest_rate.value, unit: s.interest_rate.unit },
    period: s.period.unit !== undefined ? { value: s.period.value, unit: s.period.unit } : { value: s.period.value * every, unit: FREQUENCY_UNIT[method]!.unit },
  }));
}

/** The product's rules against the simulated loan: the first one broken is a 400 naming the field. */
export function checkRules(product: LoanProduct, body: Pick<SimulationBody, 'stages' | 'start_date'>, schedule: Schedule, cur: Currency): void {
  const rules = product.rules;
  if (!rules) return;
  const num = (minor: bigint) => fromMinor(minor, cur);
  const range = <T>(field: string, value: T, r: { min?: T; max?: T } | undefined, cmp: (a: T, b: T) => number, show: (v: T) => string) => {
    if (!r) return;
    if (r.min !== undefined && cmp(value, r.min) < 0) throw LendingErrors.invalid(field, `${show(value)} is below the product's minimum ${show(r.min)} (rules)`);
    if (r.max !== undefined && cmp(value, r.max) > 0) throw LendingErrors.invalid(field, `${show(value)} is above the product's maximum ${show(r.max)} (rules)`);
  };
  const numCmp = (a: number, b: number) => a - b;
  range('body.loan_amount', num(schedule.loan_amount.minor), rules.loan_amount, numCmp, String);
  range('body.stages', schedule.number_of_installments, rules.installment_number, numCmp, (n) => `${n} installments`);
  if (rules.installment_amount) {
    for (const inst of schedule.installments) {
      range(`body.stages`, num(inst.payment_amount.minor), rules.installment_amount, numCmp, (v) => `an installment of ${v}`);
    }
  }
  if (rules.interest_rate) {
    body.stages.forEach((s, i) => {
      const rate = annual(s.interest_rate);
      const r = rules.interest_rate!;
      if (r.min && rate.lt(annual(r.min))) throw LendingErrors.invalid(`body.stages[${i}].interest_rate`, `is below the product's minimum ${r.min.value} a ${r.min.unit} (rules)`);
      if (r.max && rate.gt(annual(r.max))) throw LendingErrors.invalid(`body.stages[${i}].interest_rate`, `is above the product's maximum ${r.max.value} a ${r.max.unit} (rules)`);
    });
  }
  if (rules.loan_term) {
    const start = parseDate(body.start_date)!;
    const end = parseDate(schedule.maturity_date)!;
    const bound = (d: { value: number; unit: string }) => {
      const unit = d.unit.toUpperCase();
      if (unit === 'DAY') return addDays(start, d.value);
      if (unit === 'WEEK') return addDays(start, 7 * d.value);
      if (unit === 'FORTNIGHT') return addDays(start, 14 * d.value);
      return addMonths(start, d.value * (unit === 'YEAR' ? 12 : unit === 'QUARTER' ? 3 : 1));
    };
    const t = rules.loan_term;
    if (t.min && compareDates(end, bound(t.min)) < 0) throw LendingErrors.invalid('body.stages', `the loan ends on ${formatDate(end)}, before the product's minimum term of ${t.min.value} ${t.min.unit}`);
    if (t.max && compareDates(end, bound(t.max)) > 0) throw LendingErrors.invalid('body.stages', `the loan ends on ${formatDate(end)}, after the product's maximum term of ${t.max.value} ${t.max.unit}`);
  }
}

export type SimulationsService = ReturnType<typeof createSimulationsService>;

export function createSimulationsService(deps: Pick<Platform, 'clock' | 'ids'>) {
  const { clock, ids } = deps;
  const events = { clock, ids };

  /** Each due date moved to a business day of the program's calendar (itself when it is one); the holidays are read once for all. */
  async function realDueDates(t: TenantTx, programId: bigint, dates: string[]): Promise<Map<string, string>> {
    const calendar = await calendarFor(t, { programId });
    return businessDaysOnOrAfter(t, calendar, [...new Set(dates)]);
  }

  /** The product, schedule and answer of a simulation request (nothing stored). */
  async function compute(t: TenantTx, body: SimulationBody) {
    const product = await findLoanProduct(t, body.product_id);
    if (!product) throw LendingErrors.relatedNotFound('Loan product', 'body.product_id', `${body.product_id} is not a loan product of this org`);
    if (product.status !== 'ACTIVE') throw LendingErrors.invalid('body.product_id', `${body.product_id} is ${product.status}`);
    const cur = currencyOf('body.product_id', product.currency);
    toMinor('body.loan_amount', body.loan_amount, cur);
    const programId = BigInt(product.program_id);

    // Production orgs simulate from today on (the program's date); sandbox orgs replay any date.
    const sandbox = await t.dates.isSandbox();
    if (!sandbox) {
      const today = await t.dates.today(programId);
      if (body.start_date < today) throw LendingErrors.rule('ELND0103', 'body.start_date', `must be ${today} or later`);
      body.disbursement.forEach((d, i) => {
        if (d.due_date < today) throw LendingErrors.rule('ELND0112', `body.disbursement[${i}].due_date`, `must be ${today} or later`);
      });
    }
    // Several items are tranches (a MULTIPLE product): each names its principal; the engine checks
    // the dates (ascending, before maturity) and that the amounts sum to loan_amount.
    const several = body.disbursement.length > 1;
    if (several) {
      const type = product.disbursement.type;
      if (type !== 'MULTIPLE') throw LendingErrors.rule('ELND0011', 'body.disbursement', `has ${body.disbursement.length} items; the product's disbursement method is ${type}`);
      body.disbursement.forEach((d, i) => {
        if (d.amount === undefined) throw LendingErrors.invalid(`body.disbursement[${i}].amount`, 'is required when the loan is disbursed in several tranches');
      });
      if (product.down_payment) throw LendingErrors.invalid('body.disbursement', 'a product with a down payment disburses once');
    }
    const disbursementDate = body.disbursement[0]!.due_date;
    if (disbursementDate < body.start_date) throw LendingErrors.invalid('body.disbursement[0].due_date', `must not be before start_date ${body.start_date}`);
    const single = body.disbursement[0]!.amount;
    if (!several && single !== undefined && toMinor('body.disbursement[0].amount', single, cur) !== toMinor('body.loan_amount', body.loan_amount, cur)) {
      throw LendingErrors.invalid('body.disbursement[0].amount', `must be the loan_amount ${String(body.loan_amount)} when the loan is disbursed once`);
    }

    const charges = await findPlansForUse<ChargePlanRow>(t.db, 'lending_charge_plans', t.orgId, product.charge_plan_codes ?? []);
    const byCode = new Map(charges.map((c) => [c.code, c]));
    const ordered = (product.charge_plan_codes ?? []).map((c) => byCode.get(c)).filter((c): c is ChargePlanRow => c !== undefined && c.status === 'ENABLED');

    let schedule: Schedule;
    try {
      schedule = buildSchedule({
        product: scheduleProduct(product, ordered, cur),
        loan_amount: body.loan_amount,
        start_date: body.start_date,
        ...(several ? { tranches: body.disbursement.map((d) => ({ date: d.due_date, amount: String(d.amount) })) } : { disbursement_date: disbursementDate }),
        stages: engineStages(body),
      });
    } catch (err) {
      asRequestError(err);
    }
    checkRules(product, body, schedule, cur);
    const real = await realDueDates(t, programId, schedule.installments.map((i) => i.due_date));
    return { product, schedule, cur, real };
  }

  function answerOf(id: string, body: SimulationBody, product: LoanProduct, schedule: Schedule, real: Map<string, string>, cur: Currency, expiresAt: Date): SimulationAnswer {
    const n = (money: Money) => fromMinor(money.minor, cur);
    const method = product.repayment_frequency.method ?? 'MONTHLY';
    const tot = schedule.totals;
    const up = schedule.upfront;
    const auto = body.auto_collection ?? false;
    return {
      loan_simulation_id: id,
      product_id: product.product_id,
      ...(body.external_id !== undefined ? { external_id: body.external_id } : {}),
      loan_amount: n(schedule.loan_amount),
      outstanding_balance: {
        principal: n(schedule.loan_amount),
        interest: n(tot.interest),
        fee: n(tot.fee.add(up.fee)),
        tax: n(tot.tax.add(up.tax)),
        charge: n(tot.charge.add(up.charge)),
        total: n(tot.total_payment_amount),
      },
      total_payment_amount: n(tot.total_payment_amount),
      start_date: schedule.start_date,
      days_in_year_method: product.days_in_year_method,
      repayment_calculation_method: product.repayment_calculation_method,
      repayment_frequency: { unit: FREQUENCY_UNIT[method]!.unit, method, ...(product.repayment_frequency.every ? { every: product.repayment_frequency.every } : {}) },
      repayment_schedule: schedule.installments.map((i) => ({
        period: i.number,
        payment_amount: n(i.payment_amount),
        amount: n(i.payment_amount),
        due_date: i.due_date,
        real_due_date: real.get(i.due_date) ?? i.due_date,
        principal_amount: n(i.principal),
        interest_amount: n(i.interest),
        fee_amount: n(i.fee),
        ...(i.tax.isZero() ? {} : { tax_amount: n(i.tax) }),
        ...(i.charge.isZero() ? {} : { charge_amount: n(i.charge) }),
        balance: n(i.closing_balance),
        number_of_days: i.number_of_days,
        auto,
      })),
      disbursement_schedule: schedule.disbursements.map((d) => ({
        date: d.date,
        due_date: d.date,
        amount: n(d.amount),
        principal: n(d.principal),
        tax: n(d.tax),
        fee: n(d.fee),
        charge: n(d.charge),
      })),
      stages: answerStages(body, product),
      ...(schedule.down_payment ? { down_payment: { amount: n(schedule.down_payment.amount), due_date: schedule.down_payment.due_date } } : {}),
      ...(up.total.isZero() ? {} : { upfront: { fee: n(up.fee), tax: n(up.tax), charge: n(up.charge), total: n(up.total), due_date: up.due_date } }),
      maturity_date: schedule.maturity_date,
      expires_at: expiresAt.toISOString(),
    };
  }

  function stored(schedule: Schedule, real: Map<string, string>, auto: boolean): StoredSchedule {
    const dp = schedule.down_payment;
    const up = schedule.upfront;
    const onDisbursement = dp !== null || !up.total.isZero();
    return {
      installments: schedule.installments.map((i) => ({
        number: i.number,
        due_date: i.due_date,
        real_due_date: real.get(i.due_date) ?? i.due_date,
        number_of_days: i.number_of_days,
        principal: m(i.principal),
        interest: m(i.interest),
        fee: m(i.fee),
        tax: m(i.tax),
        charge: m(i.charge),
        closing_balance: m(i.closing_balance),
      })),
      on_disbursement: onDisbursement
        ? { due_date: schedule.disbursement.date, principal: dp ? m(dp.amount) : '0', fee: m(up.fee), tax: m(up.tax), charge: m(up.charge) }
        : null,
      disbursement: storedDisbursement(schedule.disbursement),
      disbursements: schedule.disbursements.map(storedDisbursement),
      auto,
      interest_total: m(schedule.totals.interest),
      total_payment_amount: m(schedule.totals.total_payment_amount),
      maturity_date: schedule.maturity_date,
    };
  }

  return {
    /** Checks a simulation request again (booking): the product, its rules and the dates. */
    validate: compute,

    async create(t: TenantTx, body: SimulationBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<SimulationAnswer> {
      const res = await once(t, clock, ctx, `POST ${SIMULATIONS_BASE}`, body, 'WLND0001', async () => {
        const { product, schedule, cur, real } = await compute(t, body);
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + SIMULATION_TTL_DAYS * 86_400_000);
        const id = body.simulation_id ?? ids.uuid();
        let answer: SimulationAnswer;
        try {
          answer = answerOf(id, body, product, schedule, real, cur, expiresAt);
        } catch (err) {
          // A schedule whose amounts no JSON number carries exactly (the file's 36 + 2 digits rule).
          if (err instanceof MoneyError) throw LendingErrors.rule('ELND0132', 'body.loan_amount', 'is too large: its schedule cannot be answered exactly');
          throw err;
        }
        const row = {
          org_id: t.orgId,
          simulation_id: id,
          product_id: product.product_id,
          external_id: body.external_id ?? null,
          currency_numeric_code: cur.numeric,
          loan_amount_minor: schedule.loan_amount.minor,
          start_date: schedule.start_date,
          request: JSON.stringify({ body, schedule: stored(schedule, real, body.auto_collection ?? false) }),
          answer: JSON.stringify(answer),
          expires_at: expiresAt,
          loan_id: null,
          created_at: now,
        };
        // An id the client chose may be taken: that insert answers. Lastro's own travels with the COMMIT.
        if (body.simulation_id === undefined) await repo.insertNewSimulation(t.db, row);
        else if (!(await repo.insertSimulation(t.db, row))) throw LendingErrors.exists(`Simulation ${id}`, 'body.simulation_id');
        await recordEvent(t.db, events, LoanEvents.simulationCreated, {
          orgId: t.orgId,
          cid: t.cid,
          data: {
            org_id: t.orgId,
            simulation_id: id,
            product_id: product.product_id,
            product_version: product.product_version,
            ...(body.external_id !== undefined ? { external_id: body.external_id } : {}),
            loan_amount: answer.loan_amount,
            start_date: answer.start_date,
            total_payment_amount: answer.total_payment_amount,
            disbursement_schedule: answer.disbursement_schedule.map((d) => ({ date: d.date, amount: d.amount })),
            stages: answer.stages.map((s) => ({ period: s.period, interest_rate: s.interest_rate })),
          },
        });
        return { status: 201, body: answer };
      });
      return res.body;
    },

    /**
     * The schedule of what remains after a prepayment (the engine's reschedulePrepayment), on the
     * loan's product and program calendar; numbered from `firstNumber`.
     */
    async reschedule(
      t: TenantTx,
      a: {
        product: LoanProduct;
        programId: bigint;
        cur: Currency;
        rate: { value: number; unit: string };
        outstanding: bigint;
        amountPaid: bigint;
        periodStart: string;
        nextDueDate: string;
        remaining: number;
        currentInstallment: bigint;
        reduce: 'INSTALLMENT' | 'TERM';
        dueDay: number;
        firstNumber: number;
        /** A loan of several stages: the stages still to run (see reschedulePrepayment). */
        stages?: StageInput[];
      },
    ): Promise<{ lines: StoredInstallment[]; before?: StoredInstallment[] }> {
      const money = (v: bigint) => Money.ofMinor(v, a.cur).toDecimalString();
      let result;
      try {
        result = reschedulePrepayment({
          product: scheduleProduct(a.product, [], a.cur),
          interest_rate: { value: String(a.rate.value), unit: a.rate.unit.toUpperCase() as 'YEAR' },
          outstanding_principal: money(a.outstanding),
          amount_paid: money(a.amountPaid),
          period_start: a.periodStart,
          next_due_date: a.nextDueDate,
          remaining_installments: a.remaining,
          current_installment: money(a.currentInstallment),
          reduce: a.reduce,
          due_day_of_month: a.dueDay,
          ...(a.stages ? { stages: a.stages } : {}),
        });
      } catch (err) {
        asRequestError(err);
      }
      const real = await realDueDates(t, a.programId, result.schedule.installments.map((i) => i.due_date));
      const lines = (s: Schedule) => stored(s, real, false).installments.map((i, k) => ({ ...i, number: a.firstNumber + k }));
      return { lines: lines(result.schedule), ...(result.before ? { before: lines(result.before) } : {}) };
    },

    /** The stage (0-based) of each installment of a loan, as the simulation it was booked from scheduled them. */
    async stagesOf(t: TenantTx, simulationId: string, product: LoanProduct): Promise<Map<number, number>> {
      const row = await repo.findSimulation(t.db, t.orgId, simulationId);
      if (!row) return new Map();
      const { body } = simulationRequest(row);
      const schedule = buildSchedule({
        product: scheduleProduct(product, [], currencyByNumeric(row.currency_numeric_code)),
        loan_amount: body.loan_amount,
        start_date: body.start_date,
        disbursement_date: body.disbursement[0]!.due_date,
        stages: engineStages(body),
      });
      return new Map(schedule.installments.map((i) => [i.number, i.stage - 1]));
    },

    async get(t: TenantTx, simulationId: string): Promise<SimulationAnswer> {
      const row = await repo.findSimulation(t.db, t.orgId, simulationId);
      if (!row) throw LendingErrors.notFound('Simulation');
      return row.answer as unknown as SimulationAnswer;
    },
  };
}

/** The simulation's stages as the engine reads them. */
const engineStages = (body: SimulationBody): StageInput[] =>
  body.stages.map((s) => ({
    interest_rate: { value: String(s.interest_rate.value), unit: s.interest_rate.unit },
    period: s.period.unit !== undefined ? { value: s.period.value, unit: s.period.unit } : { value: s.period.value },
  }));

/** What booking reads of a simulation: its request and the schedule kept with it. */
export const simulationRequest = (row: repo.SimulationRow): { body: SimulationBody; schedule: StoredSchedule } =>
  row.request as unknown as { body: SimulationBody; schedule: StoredSchedule };

