// The life of a loan after its simulation: booking (BOOKED), cancellation before disbursement
// (CANCELED), disbursement (ACTIVE), repayments allocated by the product's hierarchy, collection
// of auto installments on their due dates, and settlement (SETTLED) once everything is repaid.
// Every money movement is one journal entry:
//
// - disbursement: SETTLEMENT (the loan receivable, outside the customer's account) −principal;
//   the customer's (or merchant's) account, or CASH for an EXTERNAL account, +amount disbursed;
//   REVENUE +fees, taxes and charges deducted;
// - repayment: the money paid (CASH for a registered repayment, the account for a collection)
//   −amount; SETTLEMENT +principal repaid; REVENUE +interest, fees, taxes, charges, penalties;
//   an overpayment is credited back to the loan's account.
import type { RequestContext } from '../../platform/context.js';
import { AppError } from '../../platform/errors.js';
import { Money, currencyByNumeric, type Currency } from '../../platform/money.js';
import type { Platform } from '../../platform/module.js';
import { recordEvent } from '../../platform/outbox.js';
import type { TenantTx } from '../../platform/tenant.js';
import { isoSeconds } from '../../platform/wire.js';
import { onBusinessDay, type DayHandler } from '../../platform/day-close.js';
import { accountFacts, type AccountFacts } from '../accounts/index.js';
import { accountBalances, createJournalService, processingCodeRule, type EntryInput } from '../ledger/index.js';
import { allocateRepayment, type Component } from './lending.allocation.js';
import { payoffQuote } from './lending.prepayment.js';
import { LendingErrors } from './lending.errors.js';
import { afterCursor, cursorPage, once } from './lending.http.js';
import { fromMinor, toMinor } from './lending.money.js';
import { findPlan, findPlansForUse } from './lending.plans.repo.js';
import type { PenaltyPlanRow } from './penalty-plans.repo.js';
import { findLoanProduct } from './loan-products.service.js';
import type { LoanProduct } from './loan-products.schemas.js';
import { LoanEvents } from './loans.events.js';
import * as repo from './loans.repo.js';
import type { BookingBody, DisburseBody, PrepaymentQuote, PrepaymentSimulationBody, RepaymentBody, DisbursementStatus, InstallmentStatus, Loan, LoanListQuery, LoanStatus } from './loans.schemas.js';
import type { RepaymentHierarchyRow } from './repayment-hierarchies.repo.js';
import { simulationRequest, type SimulationsService, type StoredInstallment } from './simulations.service.js';
import type { StageInput } from './lending.schedule.js';
import { Dec, roundDiv } from './lending.rounding.js';

/** Calendar days from one YYYY-MM-DD date to another. */
const daysDiff = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Days per accrual period of a penalty plan's percentage. */
const ACCRUAL_DAYS: Record<string, number> = { DAILY: 1, WEEKLY: 7, MONTHLY: 30, YEARLY: 365 };
/** The most accrual periods charged on one installment. */
const MAX_ACCRUALS = 3650;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const LOANS_BASE = '/lending/v1/loans';

const COMPONENTS = ['principal', 'interest', 'fee', 'tax', 'charge', 'penalty'] as const;
type Part = (typeof COMPONENTS)[number];
const TO_COMPONENT: Record<Part, Component> = { principal: 'PRINCIPAL', interest: 'INTEREST', fee: 'FEE', tax: 'TAX', charge: 'CHARGE', penalty: 'PENALTY' };

/** What an installment owes and has paid, per component. */
const owed = (i: repo.InstallmentRow, part: Part): bigint => i[`${part}_minor`];
const paid = (i: repo.InstallmentRow, part: Part): bigint => i[`paid_${part}_minor`];
const open = (i: repo.InstallmentRow, part: Part): bigint => owed(i, part) - paid(i, part);
const openTotal = (i: repo.InstallmentRow): bigint => COMPONENTS.reduce((s, p) => s + open(i, p), 0n);
const paidTotal = (i: repo.InstallmentRow): bigint => COMPONENTS.reduce((s, p) => s + paid(i, p), 0n);

/** What the auto-collected installments due by `date` still owe. */
const dueAuto = (installments: repo.InstallmentRow[], date: string): bigint =>
  installments.filter((i) => i.auto && i.status !== 'CANCELED' && i.real_due_date <= date).reduce((s, i) => s + openTotal(i), 0n);

function groupByLoan(rows: repo.InstallmentRow[]): Map<string, repo.InstallmentRow[]> {
  const out = new Map<string, repo.InstallmentRow[]>();
  for (const r of rows) {
    const list = out.get(r.loan_id);
    if (list) list.push(r);
    else out.set(r.loan_id, [r]);
  }
  return out;
}

const canCredit = (a: AccountFacts) => a.allowedOperations === 'ALL_OPERATIONS' || a.allowedOperations === 'CREDIT_ONLY';
const canDebit = (a: AccountFacts) => a.allowedOperations === 'ALL_OPERATIONS' || a.allowedOperations === 'DEBIT_ONLY';

export type LoansService = ReturnType<typeof createLoansService>;

export function createLoansService(deps: Pick<Platform, 'clock' | 'ids'>, simulations: SimulationsService) {
  const { clock, ids } = deps;
  const events = { clock, ids };
  const ledger = createJournalService({ clock });
  /**
   * The ledger's journal, refusing an entry whose processing code the org's ledger does not know
   * (ELND0363) or has no transaction flows for yet (ELND0362): a loan's money never moves under a
   * code no statement or report can read. The rules are cached by the ledger per org.
   */
  const journal = {
    async post(t: TenantTx, input: EntryInput) {
      for (const code of new Set(input.postings.map((p) => p.processingCode))) {
        if (code === null) continue;
        const rule = await processingCodeRule(t, code);
        if (!rule) throw LendingErrors.unknownProcessingCode(code);
        if (rule.status !== 'SUCCESS') throw LendingErrors.processingCodeNotLinked(code);
      }
      return ledger.post(t, input);
    },
  };

  const currencyOfLoan = (loan: repo.LoanRow): Currency => currencyByNumeric(loan.currency_numeric_code);

  async function loadLoan(t: TenantTx, loanId: string, lock = false): Promise<repo.LoanRow> {
    const loan = await repo.findLoan(t.db, t.orgId, loanId, lock);
    if (!loan) throw new AppError('not_found', 'ELND0005', 'Loan not found');
    return loan;
  }

  /** What the loan still owes, per component (every open installment, due or not). */
  function balanceOf(installments: repo.InstallmentRow[], cur: Currency) {
    const sum = (part: Part) => installments.reduce((s, i) => s + (i.status === 'CANCELED' ? 0n : open(i, part)), 0n);
    const parts = Object.fromEntries(COMPONENTS.map((p) => [p, sum(p)])) as Record<Part, bigint>;
    const total = COMPONENTS.reduce((s, p) => s + parts[p], 0n);
    const n = (v: bigint) => fromMinor(v, cur);
    return { principal: n(parts.principal), interest: n(parts.interest), fee: n(parts.fee), tax: n(parts.tax), charge: n(parts.charge), penalty: n(parts.penalty), total: n(total) };
  }

  function eventBase(loan: repo.LoanRow, installments: repo.InstallmentRow[]) {
    const cur = currencyOfLoan(loan);
    const terms = loan.terms as { total_payment_amount: number; outstanding_balance: { principal: number; interest: number; total: number } };
    return {
      org_id: loan.org_id,
      loan_id: loan.loan_id,
      ...(loan.external_id !== null ? { external_id: loan.external_id } : {}),
      product_id: loan.product_id,
      account_id: Number(loan.account_id),
      loan_amount: fromMinor(loan.loan_amount_minor, cur),
      // As the seed's auto-settlement event shows: the loan's amounts as booked.
      outstanding_balance: installments.length
        ? { principal: terms.outstanding_balance.principal, interest: terms.outstanding_balance.interest, total: terms.outstanding_balance.total }
        : { principal: 0, interest: 0, total: 0 },
      total_payment_amount: terms.total_payment_amount,
      start_date: loan.start_date,
      created_at: isoSeconds(loan.created_at),
    };
  }

  /** The loan's new status and its event; `current` are its installments when the caller holds them as they now are. */
  async function setStatus(t: TenantTx, loan: repo.LoanRow, status: LoanStatus, current?: repo.InstallmentRow[]): Promise<repo.LoanRow> {
    const previous = loan.status;
    if (previous === status) return loan;
    const now = clock.now();
    await repo.updateLoan(t.db, t.orgId, loan.loan_id, { status, updated_at: now });
    const next = { ...loan, status, updated_at: now };
    const installments = current ?? (await repo.installmentsOf(t.db, t.orgId, [loan.loan_id]));
    await recordEvent(t.db, events, LoanEvents.loanStatusChanged, {
      orgId: t.orgId,
      cid: t.cid,
      data: { ...eventBase(next, installments), previous_loan_status: previous, current_loan_status: status },
    });
    return next;
  }

  async function disbursementEvent(t: TenantTx, d: repo.DisbursementRow, cur: Currency, previous: DisbursementStatus | undefined, status: DisbursementStatus) {
    await recordEvent(t.db, events, LoanEvents.disbursementStatusChanged, {
      orgId: t.orgId,
      cid: t.cid,
      data: {
        org_id: t.orgId,
        loan_id: d.loan_id,
        disbursement_id: d.disbursement_id,
        disbursement_date: d.disbursement_date,
        disbursed_amount: fromMinor(d.amount_minor, cur),
        created_at: isoSeconds(d.created_at),
        updated_at: isoSeconds(clock.now()),
        ...(previous ? { previous_disbursement_status: previous } : {}),
        current_disbursement_status: status,
      },
    });
  }

  /** An account that may receive or pay loan money: the org's, open, in the loan's currency. */
  async function usableAccount(t: TenantTx, accountId: number, field: string, cur: Currency, need: 'credit' | 'debit'): Promise<AccountFacts> {
    const facts = (await accountFacts(t, [String(accountId)], { share: true })).get(String(accountId));
    if (!facts) throw LendingErrors.relatedNotFound('Account', field, `${accountId} is not an account of this org`);
    if (facts.currencyNumericCode !== cur.numeric) throw LendingErrors.invalid(field, `is in currency ${facts.currencyNumericCode}; the loan is in ${cur.numeric}`);
    if (need === 'credit' ? !canCredit(facts) : !canDebit(facts)) throw LendingErrors.invalid(field, `is ${facts.status} (${facts.allowedOperations}); it cannot ${need === 'credit' ? 'receive' : 'pay'} loan money`);
    return facts;
  }

  /** Pays a disbursement now: the journal entry, PROCESSING → PAID, and the loan ACTIVE. */
  async function payDisbursement(t: TenantTx, loan: repo.LoanRow, d: repo.DisbursementRow): Promise<repo.LoanRow> {
    const cur = currencyOfLoan(loan);
    await disbursementEvent(t, d, cur, d.status, 'PROCESSING');
    // The product's disbursement code for the kind of account (processing_codes), else PSMLDS.
    const codes = (await findLoanProduct(t, loan.product_id))?.processing_codes?.disbursement;
    const code = (d.account_type === 'INTERNAL' ? codes?.internal?.[0] : codes?.external?.[0]) ?? 'PSMLDS';
    const deducted = d.fee_minor + d.tax_minor + d.charge_minor;
    const postings: EntryInput['postings'] = [{ target: { kind: 'internal', code: 'SETTLEMENT' }, bucket: 'GL', currency: cur.code, amount: -d.principal_minor, processingCode: code }];
    if (d.amount_minor > 0n) {
      postings.push(
        d.account_type === 'INTERNAL'
          ? { target: { kind: 'customer', accountId: String(d.account_id) }, bucket: 'AVAILABLE', currency: cur.code, amount: d.amount_minor, processingCode: code }
          : { target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency: cur.code, amount: d.amount_minor, processingCode: code },
      );
    }
    if (deducted > 0n) postings.push({ target: { kind: 'internal', code: 'REVENUE' }, bucket: 'GL', currency: cur.code, amount: deducted, processingCode: 'PSMLFE' });
    const posted = await journal.post(t, { kind: 'LOAN_DISBURSEMENT', postings });
    await repo.updateDisbursement(t.db, t.orgId, d.disbursement_id, { status: 'PAID', entry_id: posted.entryId, updated_at: clock.now() });
    await disbursementEvent(t, d, cur, 'PROCESSING', 'PAID');
    return loan.status === 'BOOKED' ? setStatus(t, loan, 'ACTIVE') : loan;
  }

  /** Installment statuses as of `date`: PAID, PARTIALLY_PAID, PAST_DUE / IN_GRACE_PERIOD / OVERDUE, SCHEDULED. */
  function statusOf(i: repo.InstallmentRow, date: string, graceDays: number, overdueDays: number | undefined): InstallmentStatus {
    if (i.status === 'CANCELED') return 'CANCELED';
    if (openTotal(i) === 0n) return 'PAID';
    if (i.real_due_date >= date) return paidTotal(i) > 0n ? 'PARTIALLY_PAID' : 'SCHEDULED';
    const late = Math.round((Date.parse(date) - Date.parse(i.real_due_date)) / 86_400_000);
    if (overdueDays !== undefined && late > overdueDays) return 'OVERDUE';
    if (paidTotal(i) > 0n) return 'PARTIALLY_PAID';
    return late <= graceDays ? 'IN_GRACE_PERIOD' : 'PAST_DUE';
  }

  /**
   * The penalty plans' charges due on a late installment as of `date` that were not charged yet:
   * a late fee once, penalty interest once per accrual period (DAILY 1, WEEKLY 7, MONTHLY 30,
   * YEARLY 365 days) on the open balances it concerns, within its minimum and maximum. A
   * PAST_DUE plan starts after its grace days with nothing paid on the installment; a
   * PARTIALLY_PAID plan the day after the due date once part is paid.
   */
  async function chargePenalties(t: TenantTx, i: repo.InstallmentRow, plans: PenaltyPlanRow[], date: string): Promise<bigint> {
    if (!plans.length || i.real_due_date >= date || openTotal(i) === 0n) return 0n;
    const late = Math.round((Date.parse(date) - Date.parse(i.real_due_date)) / 86_400_000);
    const partly = paidTotal(i) > 0n;
    let total = 0n;
    for (const plan of plans) {
      const grace = partly ? 0 : (plan.grace_days ?? 0);
      if (!plan.apply_when.includes(partly ? 'PARTIALLY_PAID' : 'PAST_DUE') || late <= grace) continue;
      const accrue = async (period: number, amount: bigint) => {
        if (amount <= 0n) return;
        const row = { org_id: t.orgId, loan_id: i.loan_id, number: i.number, plan_code: plan.code, period, accrual_date: date, amount_minor: amount, created_at: clock.now() };
        if (await repo.insertPenaltyAccrual(t.db, row)) total += amount;
      };
      if (plan.fixed_amount_minor !== null) await accrue(0, plan.fixed_amount_minor);
      if (plan.percentage !== null) {
        const days = ACCRUAL_DAYS[plan.accrual_frequency ?? 'DAILY'] ?? 1;
        const periods = Math.min(Math.floor((late - grace) / days), MAX_ACCRUALS);
        const concerning = (plan.apply_concerning ?? ['PRINCIPAL']).map((c) => c.toLowerCase() as Part);
        const base = concerning.reduce((s, c) => s + open(i, c), 0n);
        let amount = BigInt(new Dec(plan.percentage).div(100).mul(base.toString()).toDecimalPlaces(0, Dec.ROUND_HALF_EVEN).toFixed());
        if (plan.minimum_penalty_minor !== null && amount < plan.minimum_penalty_minor) amount = plan.minimum_penalty_minor;
        if (plan.maximum_penalty_minor !== null && amount > plan.maximum_penalty_minor) amount = plan.maximum_penalty_minor;
        for (let period = 1; period <= periods; period++) await accrue(period, amount);
      }
    }
    return total;
  }

  /**
   * A BNPL purchase returned: the contract is canceled. The merchant gives the purchase back (its
   * account, or CASH for an external one, −the amount disbursed), the loan receivable is cleared
   * (SETTLEMENT +the open principal), everything the customer paid comes back to the loan's
   * account, and the revenue earned on the loan (charges deducted, interest and charges paid) is
   * reversed. Every installment is CANCELED and the loan CANCELED.
   */
  async function returnPurchase(t: TenantTx, loan: repo.LoanRow, disbursements: repo.DisbursementRow[]) {
    const cur = currencyOfLoan(loan);
    const installments = await repo.installmentsOf(t.db, t.orgId, [loan.loan_id], true);
    const live = installments.filter((i) => i.status !== 'CANCELED');
    const openPrincipal = live.reduce((s, i) => s + open(i, 'principal'), 0n);
    const paidBack = live.reduce((s, i) => s + paidTotal(i), 0n);
    const paidEarned = live.reduce((s, i) => s + paidTotal(i) - paid(i, 'principal'), 0n);
    const paidOut = disbursements.filter((d) => d.status === 'PAID');
    const code = '7DJ8L';
    const postings: EntryInput['postings'] = [];
    let deducted = 0n;
    for (const d of paidOut) {
      deducted += d.fee_minor + d.tax_minor + d.charge_minor;
      if (d.amount_minor === 0n) continue;
      postings.push(
        d.account_type === 'INTERNAL'
          ? { target: { kind: 'customer', accountId: String(d.account_id) }, bucket: 'AVAILABLE', currency: cur.code, amount: -d.amount_minor, processingCode: code }
          : { target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency: cur.code, amount: -d.amount_minor, processingCode: code },
      );
    }
    if (openPrincipal > 0n) postings.push({ target: { kind: 'internal', code: 'SETTLEMENT' }, bucket: 'GL', currency: cur.code, amount: openPrincipal, processingCode: code });
    if (paidBack > 0n) postings.push({ target: { kind: 'customer', accountId: String(loan.account_id) }, bucket: 'AVAILABLE', currency: cur.code, amount: paidBack, processingCode: 'I1I7J' });
    if (paidEarned + deducted > 0n) postings.push({ target: { kind: 'internal', code: 'REVENUE' }, bucket: 'GL', currency: cur.code, amount: -(paidEarned + deducted), processingCode: code });
    if (postings.length) await journal.post(t, { kind: 'LOAN_RETURN', postings });
    await repo.updateLoanInstallments(t.db, t.orgId, loan.loan_id, { status: 'CANCELED' });
    await setStatus(t, loan, 'CANCELED');
  }

  /** A prepayment quote for today, stored to be registered (see simulatePrepayment). */
  async function quotePrepayment(t: TenantTx, loanId: string, body: PrepaymentSimulationBody): Promise<PrepaymentQuote> {
    const loan = await loadLoan(t, loanId, true);
    if (loan.status !== 'ACTIVE') throw LendingErrors.rule('ELND0007', 'path.loanId', `loan ${loanId} is ${loan.status}`);
    const product = await findLoanProduct(t, loan.product_id);
    const pp = product?.prepayment;
    if (!product || !pp) throw LendingErrors.rule('ELND0501', 'path.loanId', `product ${loan.product_id} has no prepayment`);
    const cur = currencyOfLoan(loan);
    const amount = toMinor('body.amount_paid', body.amount_paid, cur);
    if (amount <= 0n) throw LendingErrors.rule('ELND0505', 'body.amount_paid', 'must be greater than 0');
    const today = await t.dates.today(loan.program_id);
    const installments = await repo.installmentsOf(t.db, t.orgId, [loanId]);
    const paidCount = installments.filter((i) => i.number > 0 && i.status === 'PAID').length;
    if (paidCount < (pp.lock_in_period ?? 0)) throw LendingErrors.rule('ELND0502', 'path.loanId', `${paidCount} installments paid; the product's lock-in period is ${pp.lock_in_period}`);
    const openRows = installments.filter((i) => i.status !== 'CANCELED' && openTotal(i) > 0n);
    const due = openRows.find((i) => i.real_due_date <= today || i.number === 0);
    if (due) throw LendingErrors.invalid('path.loanId', `installment ${due.number} is due (${due.real_due_date}); repay it before a prepayment`);
    const started = openRows.find((i) => paidTotal(i) > 0n);
    if (started) throw LendingErrors.invalid('path.loanId', `installment ${started.number} is partly paid; repay it before a prepayment`);
    // The period running today: the first installment still owing, or not yet due (a moratorium's owes nothing until it ends).
    const first = installments.find((i) => i.number >= 1 && i.status !== 'CANCELED' && (openTotal(i) > 0n || i.real_due_date > today));
    if (!first || !openRows.length) throw LendingErrors.rule('ELND0007', 'path.loanId', `loan ${loanId} has nothing left to repay`);
    // What is re-scheduled: every installment from that one on.
    const remaining = installments.filter((i) => i.status !== 'CANCELED' && i.number >= first.number);
    // The schedule counts tranches not paid out yet; a re-schedule cannot keep them apart.
    const pending = (await repo.disbursementsOf(t.db, t.orgId, loanId)).find((d) => d.tranche > 1 && d.status === 'SCHEDULED');
    if (pending) throw LendingErrors.invalid('path.loanId', `tranche ${pending.tranche} of loan ${loanId} is not disbursed yet (${pending.disbursement_date}); a prepayment waits until every tranche is paid`);
    const stages = (loan.terms as { stages?: { interest_rate: { value: number; unit: string } }[] }).stages ?? [];
    const outstanding = remaining.reduce((s, i) => s + i.principal_minor, 0n);
    if (amount >= outstanding) throw LendingErrors.rule('ELND0508', 'body.amount_paid', `must be lower than the outstanding principal ${fromMinor(outstanding, cur)}`);
    const previous = installments.filter((i) => i.number > 0 && i.number < first.number).at(-1);
    const firstDue = installments.find((i) => i.number >= 1) ?? first;
    const reduce = pp.reduce_option[0]!;
    // Several stages: those still to run keep their rates and modes (the product's, by position).
    let remainingStages: StageInput[] | undefined;
    if (stages.length > 1) {
      const stageOf = await simulations.stagesOf(t, loan.simulation_id, product);
      const runs: { stage: number; count: number }[] = [];
      for (const i of remaining) {
        const stage = stageOf.get(i.number);
        if (stage === undefined) throw LendingErrors.invalid('path.loanId', `installment ${i.number} of loan ${loanId} is in no stage of its simulation`);
        const last = runs.at(-1);
        if (last?.stage === stage) last.count += 1;
        else runs.push({ stage, count: 1 });
      }
      const rate = (r: { value: number; unit: string }) => ({ value: String(r.value), unit: r.unit.toUpperCase() as 'YEAR' });
      remainingStages = runs.map(({ stage, count }) => {
        const ps = product.stages[stage];
        return {
          interest_rate: rate(stages[stage]!.interest_rate),
          period: { value: count },
          ...(ps ? { repayment_mode: ps.repayment_mode } : {}),
          ...(ps?.moratorium_interest_rate ? { moratorium_interest_rate: rate(ps.moratorium_interest_rate) } : {}),
        };
      });
    }
    const { lines: rescheduled, before } = await simulations.reschedule(t, {
      product,
      programId: loan.program_id,
      cur,
      rate: stages[0]!.interest_rate,
      outstanding,
      amountPaid: amount,
      periodStart: previous?.due_date ?? loan.start_date,
      nextDueDate: first.due_date,
      remaining: remaining.length,
      currentInstallment: first.principal_minor + first.interest_minor,
      reduce,
      dueDay: Number(firstDue.due_date.slice(8, 10)),
      firstNumber: first.number,
      ...(remainingStages ? { stages: remainingStages } : {}),
    });
    // Several stages: interest the rows carry from earlier periods (a moratorium's, deferred) is
    // what they owe beyond the same stages scheduled on the balance before the payment; it is
    // still owed, on the same installments (those a shorter term drops move it to the last one).
    const carried = remaining.map((i, k) => (before ? i.interest_minor - BigInt(before[k]?.interest ?? '0') : 0n));
    const schedule = rescheduled.map((l, k) => {
      const extra = k < rescheduled.length - 1 ? carried[k]! : carried.slice(k).reduce((s, c) => s + c, 0n);
      const interest = BigInt(l.interest) + extra;
      return extra === 0n ? l : { ...l, interest: String(interest < 0n ? 0n : interest) };
    });
    // Charges amortised on the remaining installments stay on them (those dropped by a shorter term move to the last one).
    const kept = (k: number, part: 'fee' | 'tax' | 'charge') =>
      k < schedule.length - 1 ? (remaining[k]?.[`${part}_minor`] ?? 0n) : remaining.slice(k).reduce((s, i) => s + i[`${part}_minor`], 0n);
    const lines = schedule.map((i, k) => ({ ...i, fee: String(kept(k, 'fee')), tax: String(kept(k, 'tax')), charge: String(kept(k, 'charge')) }));
    let penalty = 0n;
    if (!body.waive_penalty) {
      const v = new Dec(String(pp.penalty.value));
      penalty = pp.penalty.type === 'PERCENTAGE' ? BigInt(v.mul(amount.toString()).toDecimalPlaces(0, Dec.ROUND_HALF_EVEN).toFixed()) : toMinor('prepayment.penalty.value', String(pp.penalty.value), cur);
    }
    const n = (v: bigint) => fromMinor(v, cur);
    const sum = (f: (l: (typeof lines)[number]) => string) => lines.reduce((s, l) => s + BigInt(f(l)), 0n);
    const nb = { principal: sum((l) => l.principal), interest: sum((l) => l.interest), fee: sum((l) => l.fee), tax: sum((l) => l.tax), charge: sum((l) => l.charge) };
    const original = balanceOf(openRows, cur);
    const id = ids.uuid();
    const answer: PrepaymentQuote = {
      prepayment_id: id,
      amount_paid: n(amount),
      penalty_amount: n(penalty),
      reduce_option: reduce,
      waive_penalty: body.waive_penalty,
      settlement_date: today,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      repayment_schedule: lines.map((l) => {
        const total = BigInt(l.principal) + BigInt(l.interest) + BigInt(l.fee) + BigInt(l.tax) + BigInt(l.charge);
        return {
          period: l.number,
          due_date: l.due_date,
          real_due_date: l.real_due_date,
          payment_amount: n(total),
          amount: n(total),
          principal_amount: n(BigInt(l.principal)),
          interest_amount: n(BigInt(l.interest)),
          fee_amount: n(BigInt(l.fee) + BigInt(l.tax) + BigInt(l.charge)),
          balance: n(BigInt(l.closing_balance)),
          number_of_days: l.number_of_days,
        };
      }),
      new_balance: { principal: n(nb.principal), interest: n(nb.interest), fee: n(nb.fee), tax: n(nb.tax), charge: n(nb.charge), penalty: 0, total: n(nb.principal + nb.interest + nb.fee + nb.tax + nb.charge) },
      original_balance: original,
    };
    const now = clock.now();
    await repo.insertQuote(t.db, {
      org_id: t.orgId,
      quote_id: id,
      loan_id: loanId,
      kind: 'PREPAYMENT',
      amount_minor: amount + penalty,
      answer: JSON.stringify({ answer, lines, outstanding: outstanding.toString(), penalty: penalty.toString(), amount: amount.toString() }),
      status: 'SIMULATED',
      expires_at: new Date(Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000),
      created_at: now,
      updated_at: now,
    });
    return answer;
  }

  /**
   * What applying a payment reads besides the loan, read once per product in a day handler's
   * transaction: the product and its repayment hierarchy.
   */
  function productTerms(t: TenantTx) {
    const kept = new Map<string, Promise<{ product: LoanProduct | undefined; hierarchy: Component[] | undefined }>>();
    return (productId: string) => {
      let terms = kept.get(productId);
      if (!terms) {
        terms = (async () => {
          const product = await findLoanProduct(t, productId);
          let hierarchy: Component[] | undefined;
          if (product?.repayment_hierarchy_code) {
            const h = await findPlan<RepaymentHierarchyRow>(t.db, 'lending_repayment_hierarchies', t.orgId, product.repayment_hierarchy_code);
            if (h) hierarchy = h.hierarchy as Component[];
          }
          return { product, hierarchy };
        })();
        kept.set(productId, terms);
      }
      return terms;
    };
  }

  /**
   * Applies a payment to the loan's open installments (by the product's hierarchy), posts it, settles the loan when nothing is left.
   * `held`: every installment of the loan, already read FOR UPDATE in this transaction (a day handler reads them for many loans at once).
   */
  async function applyPayment(
    t: TenantTx,
    loan: repo.LoanRow,
    p: { repaymentId: string; date: string; amount: bigint; externalId: string | null; source: 'MANUAL' | 'AUTO'; from: 'CASH' | 'ACCOUNT' },
    held?: { installments: repo.InstallmentRow[]; terms: (productId: string) => ReturnType<ReturnType<typeof productTerms>> },
  ) {
    const cur = currencyOfLoan(loan);
    const { product, hierarchy } = await (held?.terms ?? productTerms(t))(loan.product_id);
    const all = held?.installments ?? (await repo.installmentsOf(t.db, t.orgId, [loan.loan_id], true));
    const installments = all.filter((i) => i.status !== 'CANCELED' && openTotal(i) > 0n);
    const money = (v: bigint) => Money.ofMinor(v, cur);
    const result = allocateRepayment({
      amount: money(p.amount),
      installments: installments.map((i) => ({ number: i.number, outstanding: Object.fromEntries(COMPONENTS.map((c) => [TO_COMPONENT[c], money(open(i, c))])) })),
      ...(hierarchy ? { hierarchy } : {}),
    });
    const totals: Record<Part, bigint> = { principal: 0n, interest: 0n, fee: 0n, tax: 0n, charge: 0n, penalty: 0n };
    const graceDays = product?.grace_period_days ?? 0;
    // The installments as they are once the payment is applied (the rows are locked: no one else changes them).
    const updated = new Map<number, repo.InstallmentRow>();
    for (const a of result.allocations) {
      if (a.total.isZero()) continue;
      const i = installments.find((x) => x.number === a.number)!;
      const set: Record<string, bigint> = {};
      for (const c of COMPONENTS) {
        const v = a.allocated[TO_COMPONENT[c]].minor;
        totals[c] += v;
        set[`paid_${c}_minor`] = paid(i, c) + v;
      }
      const after: repo.InstallmentRow = { ...i, ...set };
      const status = statusOf(after, p.date, graceDays, product?.overdue_threshold_days);
      updated.set(i.number, { ...after, status });
      await repo.updateInstallment(t.db, t.orgId, loan.loan_id, i.number, { ...set, status });
    }
    const over = result.overpayment.minor;
    const repaid = product?.processing_codes?.repayment?.[0] ?? '000012';
    const postings: EntryInput['postings'] = [
      p.from === 'CASH'
        ? { target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency: cur.code, amount: -p.amount, processingCode: repaid }
        : { target: { kind: 'customer', accountId: String(loan.account_id) }, bucket: 'AVAILABLE', currency: cur.code, amount: -p.amount, processingCode: repaid },
    ];
    if (totals.principal > 0n) postings.push({ target: { kind: 'internal', code: 'SETTLEMENT' }, bucket: 'GL', currency: cur.code, amount: totals.principal, processingCode: repaid });
    const earned = totals.interest + totals.fee + totals.tax + totals.charge + totals.penalty;
    if (earned > 0n) postings.push({ target: { kind: 'internal', code: 'REVENUE' }, bucket: 'GL', currency: cur.code, amount: earned, processingCode: 'PSMLIN' });
    if (over > 0n) postings.push({ target: { kind: 'customer', accountId: String(loan.account_id) }, bucket: 'AVAILABLE', currency: cur.code, amount: over, processingCode: repaid });
    const posted = await journal.post(t, { kind: 'LOAN_REPAYMENT', postings });
    await repo.insertRepayment(t.db, {
      org_id: t.orgId,
      loan_id: loan.loan_id,
      repayment_id: p.repaymentId,
      repayment_date: p.date,
      amount_minor: p.amount,
      overpayment_minor: over,
      external_id: p.externalId,
      source: p.source,
      allocation: JSON.stringify(
        result.allocations.filter((a) => !a.total.isZero()).map((a) => ({ period: a.number, ...Object.fromEntries(COMPONENTS.map((c) => [c, a.allocated[TO_COMPONENT[c]].minor.toString()])) })),
      ),
      entry_id: posted.entryId,
      created_at: clock.now(),
    });
    const left = all.map((i) => updated.get(i.number) ?? i);
    const settled = left.every((i) => i.status === 'CANCELED' || openTotal(i) === 0n);
    if (settled) await setStatus(t, loan, 'SETTLED', left);
    return { allocated: totals, overpayment: over, settled };
  }

  function toLoan(loan: repo.LoanRow, installments: repo.InstallmentRow[], disbursements: repo.DisbursementRow[], expand: boolean): Loan {
    const cur = currencyOfLoan(loan);
    const n = (v: bigint) => fromMinor(v, cur);
    const terms = loan.terms as { total_payment_amount: number; loan_simulation_id?: string };
    const comps = (f: (p: Part) => bigint) => {
      const o = Object.fromEntries(COMPONENTS.map((p) => [p, n(f(p))])) as Record<Part, number>;
      return { ...o, total: n(COMPONENTS.reduce((s, p) => s + f(p), 0n)) };
    };
    return {
      loan_id: loan.loan_id,
      ...(loan.external_id !== null ? { external_id: loan.external_id } : {}),
      status: loan.status,
      created_at: isoSeconds(loan.created_at).slice(0, 10),
      updated_at: isoSeconds(loan.updated_at).slice(0, 10),
      product_id: loan.product_id,
      account_id: Number(loan.account_id),
      loan_amount: n(loan.loan_amount_minor),
      outstanding_balance: balanceOf(installments, cur),
      total_payment_amount: terms.total_payment_amount,
      start_date: loan.start_date,
      loan_simulation_id: loan.simulation_id,
      ...(expand
        ? {
            disbursement_schedule: disbursements.map((d) => ({
              disbursement_id: d.disbursement_id,
              id: d.disbursement_id,
              status: d.status,
              date: d.disbursement_date,
              due_date: d.disbursement_date,
              amount: n(d.amount_minor),
              principal: n(d.principal_minor),
              fee: n(d.fee_minor),
              tax: n(d.tax_minor),
              charge: n(d.charge_minor),
              ...(d.account_type ? { disbursement_account: { type: d.account_type, ...(d.account_id !== null ? { account_id: Number(d.account_id) } : {}) } } : {}),
            })),
            repayment_schedule: installments.map((i) => ({
              period: i.number,
              status: i.status,
              due_date: i.due_date,
              real_due_date: i.real_due_date,
              balance: n(i.closing_balance_minor),
              number_of_days: i.number_of_days,
              payment_amount: n(i.principal_minor + i.interest_minor + i.fee_minor + i.tax_minor + i.charge_minor),
              principal_amount: n(i.principal_minor),
              interest_amount: n(i.interest_minor),
              fee_amount: n(i.fee_minor),
              auto: i.auto,
              amount: { initial_amount: comps((p) => owed(i, p)), amount_due: comps((p) => open(i, p)), amount_paid: comps((p) => paid(i, p)) },
            })),
          }
        : {}),
    };
  }

  return {
    async book(t: TenantTx, body: BookingBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<{ loan_id: string }> {
      const res = await once(t, clock, ctx, `POST ${LOANS_BASE}`, body, 'WLND0001', async () => {
        const sim = await repo.findSimulation(t.db, t.orgId, body.loan_simulation_id, true);
        if (!sim) throw LendingErrors.relatedNotFound('Simulation', 'body.loan_simulation_id', `${body.loan_simulation_id} is not a simulation of this org`);
        if (sim.loan_id !== null) throw new AppError('conflict', 'WLND0001', 'loan_id is already in use', [{ field: 'body.loan_simulation_id', reason: `was booked as loan ${sim.loan_id}` }]);
        if (sim.expires_at.getTime() <= clock.now().getTime()) throw LendingErrors.invalid('body.loan_simulation_id', `expired at ${sim.expires_at.toISOString()}`);
        const { body: simBody, schedule } = simulationRequest(sim);
        // The product, its rules and the dates, checked again as of now.
        const { product } = await simulations.validate(t, simBody);
        const cur = currencyByNumeric(sim.currency_numeric_code);
        const account = await usableAccount(t, body.account_id, 'body.account_id', cur, 'credit');
        if (account.programId !== String(product.program_id)) throw LendingErrors.invalid('body.account_id', `belongs to program ${account.programId}; the loan product to ${product.program_id}`);
        // Pismo's 409 WLND0001: an account holds one loan until it is final. Two bookings on one
        // account at once: the lock makes the second wait for the first and then see its loan.
        await repo.lockAccountForBooking(t.db, t.orgId, BigInt(body.account_id));
        const holding = await repo.openLoanOnAccount(t.db, t.orgId, BigInt(body.account_id));
        if (holding) throw LendingErrors.accountInUse(holding.loan_id, holding.status);
        const now = clock.now();
        const loanId = body.loan_id ?? ids.uuid();
        const row = await repo.insertLoan(t.db, {
          org_id: t.orgId,
          loan_id: loanId,
          simulation_id: sim.simulation_id,
          product_id: sim.product_id,
          program_id: BigInt(product.program_id),
          account_id: BigInt(body.account_id),
          external_id: body.external_id ?? sim.external_id,
          status: 'BOOKED',
          currency_numeric_code: cur.numeric,
          loan_amount_minor: sim.loan_amount_minor,
          start_date: sim.start_date,
          terms: JSON.stringify(sim.answer),
          created_at: now,
          updated_at: now,
        });
        if (!row) throw new AppError('conflict', 'WLND0001', 'loan_id is already in use', [{ field: 'body.loan_id', reason: 'is already taken in this org' }]);
        await repo.markSimulationUsed(t.db, t.orgId, sim.simulation_id, loanId);
        const rows = schedule.installments.map((i) => ({
          org_id: t.orgId,
          loan_id: loanId,
          number: i.number,
          due_date: i.due_date,
          real_due_date: i.real_due_date,
          number_of_days: i.number_of_days,
          principal_minor: BigInt(i.principal),
          interest_minor: BigInt(i.interest),
          fee_minor: BigInt(i.fee),
          tax_minor: BigInt(i.tax),
          charge_minor: BigInt(i.charge),
          closing_balance_minor: BigInt(i.closing_balance),
          auto: schedule.auto,
          status: 'SCHEDULED' as const,
        }));
        const od = schedule.on_disbursement;
        if (od) {
          rows.unshift({
            org_id: t.orgId,
            loan_id: loanId,
            number: 0,
            due_date: od.due_date,
            real_due_date: od.due_date,
            number_of_days: 0,
            principal_minor: BigInt(od.principal),
            interest_minor: 0n,
            fee_minor: BigInt(od.fee),
            tax_minor: BigInt(od.tax),
            charge_minor: BigInt(od.charge),
            closing_balance_minor: sim.loan_amount_minor - BigInt(od.principal),
            auto: schedule.auto,
            status: 'SCHEDULED',
          });
        }
        await repo.insertInstallments(t.db, rows);
        // One disbursement per tranche of the schedule (one for a loan disbursed once).
        for (const [k, d] of (schedule.disbursements ?? [schedule.disbursement]).entries()) {
          await repo.insertDisbursement(t.db, {
            org_id: t.orgId,
            disbursement_id: ids.uuid(),
            loan_id: loanId,
            disbursement_date: d.date,
            amount_minor: BigInt(d.amount),
            principal_minor: BigInt(d.principal),
            fee_minor: BigInt(d.fee),
            tax_minor: BigInt(d.tax),
            charge_minor: BigInt(d.charge),
            status: 'SCHEDULED',
            tranche: k + 1,
            account_type: null,
            account_id: null,
            external_account: null,
            entry_id: null,
            created_at: now,
            updated_at: now,
          });
        }
        const installments = await repo.installmentsOf(t.db, t.orgId, [loanId]);
        await recordEvent(t.db, events, LoanEvents.loanBooked, { orgId: t.orgId, cid: t.cid, data: { ...eventBase(row, installments), current_loan_status: 'BOOKED' } });
        if (product.loan_activation_method === 'ON_BOOK') await setStatus(t, row, 'ACTIVE');
        return { status: 202, body: { loan_id: loanId } };
      });
      return res.body;
    },

    async cancel(t: TenantTx, loanId: string, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<{ loan_id: string }> {
      const res = await once(t, clock, ctx, `DELETE ${LOANS_BASE}/${loanId}`, {}, 'WLND0001', async () => {
        const loan = await loadLoan(t, loanId, true);
        const disbursements = await repo.disbursementsOf(t.db, t.orgId, loanId, true);
        if (loan.status === 'CANCELED') return { status: 202, body: { loan_id: loanId } };
        if (loan.status === 'ACTIVE' && disbursements.some((d) => d.status === 'PAID') && (await findLoanProduct(t, loan.product_id))?.product_type === 'BNPL') {
          await returnPurchase(t, loan, disbursements);
          return { status: 202, body: { loan_id: loanId } };
        }
        if (disbursements.some((d) => d.status === 'PAID' || d.status === 'PROCESSING') || !['BOOKED', 'ACTIVE', 'PENDING'].includes(loan.status)) {
          throw LendingErrors.invalid('path.loanId', `loan ${loanId} is ${loan.status} and disbursed; only a loan not yet disbursed can be canceled`);
        }
        const cur = currencyOfLoan(loan);
        for (const d of disbursements) {
          await repo.updateDisbursement(t.db, t.orgId, d.disbursement_id, { status: 'CANCELED', updated_at: clock.now() });
          await disbursementEvent(t, d, cur, d.status, 'CANCELED');
        }
        await repo.updateLoanInstallments(t.db, t.orgId, loanId, { status: 'CANCELED' });
        await setStatus(t, loan, 'CANCELED');
        return { status: 202, body: { loan_id: loanId } };
      });
      return res.body;
    },

    async get(t: TenantTx, loanId: string, expand: boolean): Promise<Loan> {
      const loan = await loadLoan(t, loanId);
      const [installments, disbursements] = await Promise.all([repo.installmentsOf(t.db, t.orgId, [loanId]), repo.disbursementsOf(t.db, t.orgId, loanId)]);
      return toLoan(loan, installments, disbursements, expand);
    },

    async list(t: TenantTx, q: LoanListQuery) {
      const limit = q.limit ?? 10;
      const rows = await repo.listLoans(t.db, t.orgId, afterCursor(q.next_cursor), limit + 1, {
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.account_id !== undefined ? { accountId: BigInt(q.account_id) } : {}),
        ...(q.product_id !== undefined ? { productId: q.product_id } : {}),
      });
      const page = cursorPage(rows, limit);
      const installments = await repo.installmentsOf(t.db, t.orgId, page.items.map((l) => l.loan_id));
      const products = new Map<string, { product_name: string; product_version: string; product_type: string }>();
      for (const id of new Set(page.items.map((l) => l.product_id))) {
        const p = await findLoanProduct(t, id);
        products.set(id, { product_name: p?.product_name ?? '', product_version: p?.product_version ?? '1', product_type: p?.product_type ?? '' });
      }
      return {
        next_cursor: page.next ?? '',
        has_next: page.hasNext,
        items: page.items.map((l) => ({ ...toLoan(l, installments.filter((i) => i.loan_id === l.loan_id), [], false), ...products.get(l.product_id)! })),
      };
    },

    async disburse(t: TenantTx, loanId: string, body: DisburseBody, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      const res = await once(t, clock, ctx, `POST ${LOANS_BASE}/${loanId}/disburse`, body, 'WLND0001', async () => {
        let loan = await loadLoan(t, loanId, true);
        if (loan.status !== 'BOOKED' && loan.status !== 'ACTIVE') throw LendingErrors.invalid('path.loanId', `loan ${loanId} is ${loan.status}; it cannot be disbursed`);
        const cur = currencyOfLoan(loan);
        const all = await repo.disbursementsOf(t.db, t.orgId, loanId, true);
        const d = body.disbursement_id !== undefined ? all.find((x) => x.disbursement_id === body.disbursement_id) : all.find((x) => x.status === 'SCHEDULED' && x.account_type === null);
        if (!d) {
          throw body.disbursement_id !== undefined
            ? LendingErrors.relatedNotFound('Disbursement', 'body.disbursement_id', `${body.disbursement_id} is not a disbursement of loan ${loanId}`)
            : LendingErrors.invalid('path.loanId', `loan ${loanId} has no disbursement left to make`);
        }
        if (d.status !== 'SCHEDULED' || d.account_type !== null) throw LendingErrors.invalid('body.disbursement_id', `disbursement ${d.disbursement_id} is already ${d.account_type ? 'requested' : d.status}`);
        const amount = toMinor('body.disbursed_amount', body.disbursed_amount, cur);
        if (amount !== d.amount_minor) throw LendingErrors.invalid('body.disbursed_amount', `must be the amount the schedule disburses, ${fromMinor(d.amount_minor, cur)}`);
        const date = body.disbursement_date.slice(0, 10);
        const today = await t.dates.today(loan.program_id);
        // A later tranche bears interest from its scheduled date: it is not paid out before it.
        if (d.tranche > 1 && date < d.disbursement_date) {
          throw LendingErrors.invalid('body.disbursement_date', `tranche ${d.tranche} of loan ${loanId} is scheduled for ${d.disbursement_date}; it cannot be disbursed before`);
        }
        const account = body.disbursement_account;
        let accountId: bigint | null = null;
        if (account.type === 'INTERNAL') {
          if (account.account_id === undefined) throw LendingErrors.rule('ELND0002', 'body.disbursement_account.account_id', 'is required for an INTERNAL account');
          await usableAccount(t, account.account_id, 'body.disbursement_account.account_id', cur, 'credit');
          accountId = BigInt(account.account_id);
        }
        const { type: _type, account_id: _id, ...external } = account;
        const now = clock.now();
        await repo.updateDisbursement(t.db, t.orgId, d.disbursement_id, {
          disbursement_date: date < today ? today : date,
          account_type: account.type,
          account_id: accountId ?? (account.account_id !== undefined ? BigInt(account.account_id) : null),
          external_account: account.type === 'EXTERNAL' ? JSON.stringify(external) : null,
          updated_at: now,
        });
        const row = { ...d, disbursement_date: date < today ? today : date, account_type: account.type, account_id: accountId };
        let status: DisbursementStatus = 'SCHEDULED';
        if (row.disbursement_date <= today) {
          loan = await payDisbursement(t, loan, row);
          status = 'PAID';
        } else {
          await disbursementEvent(t, row, cur, undefined, 'SCHEDULED');
        }
        return {
          status: 202,
          body: {
            loan_id: loanId,
            disbursement_id: d.disbursement_id,
            created_at: isoSeconds(d.created_at),
            updated_at: isoSeconds(now),
            product_id: loan.product_id,
            disbursement_status: status,
            disbursement_date: row.disbursement_date,
            loan_amount: fromMinor(loan.loan_amount_minor, cur),
            disbursed_amount: fromMinor(d.amount_minor, cur),
            disbursement_account: { type: account.type, ...(account.account_id !== undefined ? { account_id: account.account_id } : {}) },
          },
        };
      });
      return res.body;
    },

    async repay(t: TenantTx, loanId: string, body: RepaymentBody, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      const res = await once(t, clock, ctx, `POST ${LOANS_BASE}/${loanId}/repayment`, body, 'WLND0001', async () => {
        const loan = await loadLoan(t, loanId, true);
        const cur = currencyOfLoan(loan);
        const amount = toMinor('body.repayment_amount', body.repayment_amount, cur);
        if (amount <= 0n) throw LendingErrors.invalid('body.repayment_amount', 'must be greater than 0');
        const answer = (overpayment: bigint) => ({
          loan_id: loanId,
          repayment_id: body.repayment_id,
          repayment_amount: fromMinor(amount, cur),
          ...(body.external_id !== undefined ? { external_id: body.external_id } : {}),
          ...(overpayment > 0n ? { overpayment_amount: fromMinor(overpayment, cur) } : {}),
        });
        const before = await repo.findRepayment(t.db, t.orgId, loanId, body.repayment_id);
        if (before) {
          if (before.amount_minor !== amount || before.repayment_date !== body.repayment_date) throw LendingErrors.exists(`Repayment ${body.repayment_id} of loan ${loanId}`, 'body.repayment_id');
          return { status: 202, body: answer(before.overpayment_minor) };
        }
        if (loan.status === 'BOOKED' || loan.status === 'PENDING') throw LendingErrors.rule('ELND1004', 'path.loanId', `loan ${loanId} is ${loan.status}`);
        if (loan.status === 'CANCELED') throw LendingErrors.rule('ELND1005', 'path.loanId', `loan ${loanId} is CANCELED`);
        if (loan.status !== 'ACTIVE') throw LendingErrors.rule('ELND0400', 'path.loanId', `loan ${loanId} is ${loan.status}`);
        const r = await applyPayment(t, loan, { repaymentId: body.repayment_id, date: body.repayment_date, amount, externalId: body.external_id ?? null, source: 'MANUAL', from: 'CASH' });
        return { status: 202, body: answer(r.overpayment) };
      });
      return res.body;
    },

    /** An early final settlement quote (EFS simulation) as of `reference_date` (default today): valid that day. */
    async simulateSettlement(t: TenantTx, loanId: string, body: { reference_date?: string; waive_penalty?: boolean }) {
      const loan = await loadLoan(t, loanId, true);
      if (loan.status !== 'ACTIVE') throw LendingErrors.rule('ELND0400', 'path.loanId', `loan ${loanId} is ${loan.status}`);
      const product = await findLoanProduct(t, loan.product_id);
      const efs = product?.early_final_settlement;
      if (!efs) throw LendingErrors.rule('ELND0401', 'path.loanId', `product ${loan.product_id} has no early_final_settlement`);
      const today = await t.dates.today(loan.program_id);
      const date = body.reference_date ?? today;
      if (date < today) throw LendingErrors.rule('ELND0405', 'body.reference_date', `must be ${today} or later`);
      const installments = await repo.installmentsOf(t.db, t.orgId, [loanId]);
      const paidCount = installments.filter((i) => i.number > 0 && i.status === 'PAID').length;
      if (paidCount < (efs.lock_in_period ?? 0)) throw LendingErrors.rule('ELND0402', 'path.loanId', `${paidCount} installments paid; the product's lock-in period is ${efs.lock_in_period}`);
      const cur = currencyOfLoan(loan);
      const money = (v: bigint) => Money.ofMinor(v, cur);
      const openRows = installments.filter((i) => i.status !== 'CANCELED' && openTotal(i) > 0n);
      // Later tranches not paid out yet are canceled by the settlement: their principal is not
      // owed, nor their interest. One dated on or before the reference date is paid out first.
      // (The first, or only, disbursement is owed as before: an ON_BOOK loan is active without it.)
      const tranches = await repo.disbursementsOf(t.db, t.orgId, loanId);
      const pending = tranches.filter((d) => d.tranche > 1 && d.status === 'SCHEDULED');
      const firstPrincipal = tranches.find((d) => d.tranche === 1)?.principal_minor ?? loan.loan_amount_minor;
      const early = pending.find((d) => d.disbursement_date <= date);
      if (early) throw LendingErrors.invalid('body.reference_date', `tranche ${early.tranche} is disbursed on ${early.disbursement_date}; settle before that date or once it is paid`);
      let undisbursed = pending.reduce((s, d) => s + d.principal_minor, 0n);
      const lessTranches = new Map<number, { principal: bigint; interest: bigint }>();
      for (const i of [...openRows].reverse()) {
        const previous = installments.find((x) => x.number === i.number - 1);
        const from = previous?.due_date ?? loan.start_date;
        // The period a pending tranche lands in: its interest on the balance carried alone
        // (the schedule's interest × C·P / (C·P + Σ amount × days out)).
        const exposure = pending.filter((d) => d.disbursement_date >= from && d.disbursement_date < i.due_date).reduce((s, d) => s + d.principal_minor * BigInt(daysDiff(d.disbursement_date, i.due_date)), 0n);
        const carried = (previous?.closing_balance_minor ?? firstPrincipal) * BigInt(daysDiff(from, i.due_date));
        const interest = exposure > 0n && carried + exposure > 0n ? roundDiv(open(i, 'interest') * carried, carried + exposure, 'HALF_EVEN') : open(i, 'interest');
        const take = open(i, 'principal') < undisbursed ? open(i, 'principal') : undisbursed;
        undisbursed -= take;
        lessTranches.set(i.number, { principal: open(i, 'principal') - take, interest });
      }
      const penalty = body.waive_penalty
        ? undefined
        : efs.penalty.type === 'PERCENTAGE'
          ? { type: 'PERCENTAGE' as const, value: String(efs.penalty.value) }
          : { type: 'FIXED_AMOUNT' as const, value: String(efs.penalty.value) };
      const quote = payoffQuote({
        installments: openRows.map((i) => {
          const previous = installments.find((x) => x.number === i.number - 1);
          return {
            number: i.number,
            period_start: previous?.due_date ?? loan.start_date,
            due_date: i.due_date,
            principal: money(lessTranches.get(i.number)!.principal),
            interest: money(lessTranches.get(i.number)!.interest),
            fee: money(open(i, 'fee')),
            tax: money(open(i, 'tax')),
            charge: money(open(i, 'charge')),
            penalty: money(open(i, 'penalty')),
          };
        }),
        settlement_date: date,
        ...(penalty ? { penalty } : {}),
      });
      const n = (m: Money) => fromMinor(m.minor, cur);
      const id = ids.uuid();
      const answer = {
        id,
        early_settlement_id: id,
        reference_date: date,
        total_to_settle: n(quote.total),
        outstanding: {
          principal: n(quote.principal),
          interest: n(quote.interest),
          charge: n(quote.charge),
          tax: n(quote.tax),
          fee: n(quote.fee),
          installments: quote.installments,
          penalty: n(quote.penalty.add(quote.settlement_penalty)),
        },
      };
      const now = clock.now();
      // Valid until the reference date ends (the quote's interest runs to that day).
      await repo.insertQuote(t.db, { org_id: t.orgId, quote_id: id, loan_id: loanId, kind: 'EARLY_SETTLEMENT', amount_minor: quote.total.minor, answer: JSON.stringify(answer), status: 'SIMULATED', expires_at: new Date(Date.parse(`${date}T00:00:00Z`) + 2 * 86_400_000), created_at: now, updated_at: now });
      return answer;
    },

    /** Settles the loan with a quote: the quoted amount is received, later interest and charges are waived, the loan SETTLED. */
    async registerSettlement(t: TenantTx, loanId: string, efsId: string, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      const res = await once(t, clock, ctx, `POST ${LOANS_BASE}/${loanId}/early-settlement/${efsId}/register`, {}, 'WLND0001', async () => {
        const loan = await loadLoan(t, loanId, true);
        const q = await repo.findQuote(t.db, t.orgId, loanId, efsId);
        if (!q || q.kind !== 'EARLY_SETTLEMENT') throw LendingErrors.notFound('Early final settlement simulation');
        const answer = q.answer as { total_to_settle: number; reference_date: string; outstanding: { principal: number; interest: number; fee: number; tax: number; charge: number; penalty: number; installments: number } };
        const body = { early_settle_id: efsId, loan_id: loanId, total_settled: answer.total_to_settle, outstanding: answer.outstanding };
        if (q.status === 'REGISTERED') return { status: 202, body };
        if (loan.status !== 'ACTIVE') throw LendingErrors.rule('ELND0400', 'path.loanId', `loan ${loanId} is ${loan.status}`);
        const today = await t.dates.today(loan.program_id);
        if (answer.reference_date < today || q.expires_at.getTime() <= clock.now().getTime()) throw LendingErrors.rule('ELND0404', 'path.efsId', `the simulation was for ${answer.reference_date}`);
        const cur = currencyOfLoan(loan);
        const installments = (await repo.installmentsOf(t.db, t.orgId, [loanId], true)).filter((i) => i.status !== 'CANCELED' && openTotal(i) > 0n);
        // The quote's amounts, component by component, spread oldest first; the rest is waived.
        const quoted: Record<Part, bigint> = {
          principal: toMinor('outstanding.principal', String(answer.outstanding.principal), cur),
          interest: toMinor('outstanding.interest', String(answer.outstanding.interest), cur),
          fee: toMinor('outstanding.fee', String(answer.outstanding.fee), cur),
          tax: toMinor('outstanding.tax', String(answer.outstanding.tax), cur),
          charge: toMinor('outstanding.charge', String(answer.outstanding.charge), cur),
          penalty: toMinor('outstanding.penalty', String(answer.outstanding.penalty), cur),
        };
        const pending = (await repo.disbursementsOf(t.db, t.orgId, loanId, true)).filter((d) => d.tranche > 1 && d.status === 'SCHEDULED');
        const openPrincipal = installments.reduce((s, i) => s + open(i, 'principal'), 0n) - pending.reduce((s, d) => s + d.principal_minor, 0n);
        if (openPrincipal !== quoted.principal) throw LendingErrors.rule('ELND0404', 'path.efsId', 'the outstanding balance changed after the simulation');
        const left = { ...quoted };
        for (const [k, i] of installments.entries()) {
          const set: Record<string, bigint> = {};
          for (const c of COMPONENTS) {
            const take = k === installments.length - 1 ? left[c] : open(i, c) < left[c] ? open(i, c) : left[c];
            left[c] -= take;
            set[`${c}_minor`] = paid(i, c) + take;
            set[`paid_${c}_minor`] = paid(i, c) + take;
          }
          await repo.updateInstallment(t.db, t.orgId, loanId, i.number, { ...set, status: 'PAID' });
        }
        const total = COMPONENTS.reduce((s, c) => s + quoted[c], 0n);
        const earned = total - quoted.principal;
        const postings: EntryInput['postings'] = [{ target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency: cur.code, amount: -total, processingCode: 'PSMLES' }];
        if (quoted.principal > 0n) postings.push({ target: { kind: 'internal', code: 'SETTLEMENT' }, bucket: 'GL', currency: cur.code, amount: quoted.principal, processingCode: 'PSMLES' });
        if (earned > 0n) postings.push({ target: { kind: 'internal', code: 'REVENUE' }, bucket: 'GL', currency: cur.code, amount: earned, processingCode: 'PSMLES' });
        const posted = await journal.post(t, { kind: 'LOAN_EARLY_SETTLEMENT', postings });
        await repo.insertRepayment(t.db, {
          org_id: t.orgId,
          loan_id: loanId,
          repayment_id: `EFS_${efsId}`,
          repayment_date: today,
          amount_minor: total,
          overpayment_minor: 0n,
          external_id: null,
          source: 'EARLY_SETTLEMENT',
          allocation: JSON.stringify([Object.fromEntries(COMPONENTS.map((c) => [c, quoted[c].toString()]))]),
          entry_id: posted.entryId,
          created_at: clock.now(),
        });
        await repo.setQuoteStatus(t.db, t.orgId, efsId, 'REGISTERED', clock.now());
        // The tranches not paid out are not owed any more: CANCELED.
        for (const d of pending) {
          await repo.updateDisbursement(t.db, t.orgId, d.disbursement_id, { status: 'CANCELED', updated_at: clock.now() });
          await disbursementEvent(t, d, cur, d.status, 'CANCELED');
        }
        await setStatus(t, loan, 'SETTLED');
        return { status: 202, body };
      });
      return res.body;
    },

    /**
     * A prepayment quote for today: the principal paid, the product's penalty (unless waived), and
     * the schedule of what remains, re-amortised by the product's first reduce option (INSTALLMENT
     * keeps the maturity, TERM the installment). Only installments not yet due and not yet paid
     * are re-scheduled: what is due must be repaid first.
     */
    async simulatePrepayment(t: TenantTx, loanId: string, body: PrepaymentSimulationBody, ctx: Pick<RequestContext, 'idempotencyKey'>): Promise<PrepaymentQuote> {
      const res = await once(t, clock, ctx, `POST ${LOANS_BASE}/${loanId}/prepayment/simulate`, body, 'WLND0001', async () => ({ status: 201, body: await quotePrepayment(t, loanId, body) }));
      return res.body;
    },

    /**
     * Registers a prepayment simulated today, once: the amount and penalty are received (CASH), the
     * principal leaves the loan receivable (SETTLEMENT), the penalty is revenue; the remaining
     * installments take the simulated schedule and those a shorter term drops are CANCELED.
     */
    async registerPrepayment(t: TenantTx, loanId: string, prepaymentId: string, ctx: Pick<RequestContext, 'idempotencyKey'>) {
      const res = await once(t, clock, ctx, `POST ${LOANS_BASE}/${loanId}/prepayment/${prepaymentId}/register`, {}, 'WLND0001', async () => {
        if (!UUID.test(prepaymentId)) throw LendingErrors.rule('ELND0500', 'path.prepaymentId', 'must be a UUID');
        const loan = await loadLoan(t, loanId, true);
        const q = await repo.findQuote(t.db, t.orgId, loanId, prepaymentId);
        if (!q || q.kind !== 'PREPAYMENT') throw LendingErrors.notFound('Prepayment simulation');
        const stored = q.answer as { answer: PrepaymentQuote; lines: StoredInstallment[]; outstanding: string; penalty: string; amount: string };
        const a = stored.answer;
        const body = { prepayment_id: prepaymentId, loan_id: loanId, amount_paid: a.amount_paid, penalty_amount: a.penalty_amount, reduce_option: a.reduce_option, settlement_date: a.settlement_date };
        if (q.status === 'REGISTERED') return { status: 202, body };
        if (loan.status !== 'ACTIVE') throw LendingErrors.rule('ELND0400', 'path.loanId', `loan ${loanId} is ${loan.status}`);
        const today = await t.dates.today(loan.program_id);
        if (a.settlement_date !== today) throw LendingErrors.rule('ELND0510', 'path.prepaymentId', `the simulation was for ${a.settlement_date}; today is ${today}`);
        const cur = currencyOfLoan(loan);
        // The installments the simulation re-scheduled: every one from its first line on.
        const from = stored.lines[0]?.number ?? 0;
        const installments = (await repo.installmentsOf(t.db, t.orgId, [loanId], true)).filter((i) => i.status !== 'CANCELED' && i.number >= from);
        const outstanding = installments.reduce((s, i) => s + open(i, 'principal'), 0n);
        if (outstanding !== BigInt(stored.outstanding) || installments.some((i) => paidTotal(i) > 0n) || installments[0]?.number !== from) {
          throw LendingErrors.rule('ELND0509', 'path.prepaymentId', 'the outstanding balance changed after the simulation');
        }
        for (const [k, i] of installments.entries()) {
          const line = stored.lines[k];
          if (!line) {
            await repo.updateInstallment(t.db, t.orgId, loanId, i.number, { status: 'CANCELED' });
            continue;
          }
          await repo.updateInstallment(t.db, t.orgId, loanId, i.number, {
            due_date: line.due_date,
            real_due_date: line.real_due_date,
            number_of_days: line.number_of_days,
            principal_minor: BigInt(line.principal),
            interest_minor: BigInt(line.interest),
            fee_minor: BigInt(line.fee),
            tax_minor: BigInt(line.tax),
            charge_minor: BigInt(line.charge),
            closing_balance_minor: BigInt(line.closing_balance),
          });
        }
        const amount = BigInt(stored.amount);
        const penalty = BigInt(stored.penalty);
        const postings: EntryInput['postings'] = [
          { target: { kind: 'internal', code: 'CASH' }, bucket: 'GL', currency: cur.code, amount: -(amount + penalty), processingCode: 'PPMT' },
          { target: { kind: 'internal', code: 'SETTLEMENT' }, bucket: 'GL', currency: cur.code, amount, processingCode: 'PPMT' },
        ];
        const penaltyCode = (await findLoanProduct(t, loan.product_id))?.processing_codes?.prepayment?.fee?.[0] ?? 'PNLT';
        if (penalty > 0n) postings.push({ target: { kind: 'internal', code: 'REVENUE' }, bucket: 'GL', currency: cur.code, amount: penalty, processingCode: penaltyCode });
        const posted = await journal.post(t, { kind: 'LOAN_PREPAYMENT', postings });
        await repo.insertRepayment(t.db, {
          org_id: t.orgId,
          loan_id: loanId,
          repayment_id: `PP_${prepaymentId}`,
          repayment_date: today,
          amount_minor: amount + penalty,
          overpayment_minor: 0n,
          external_id: null,
          source: 'PREPAYMENT',
          allocation: JSON.stringify([{ principal: amount.toString(), penalty: penalty.toString() }]),
          entry_id: posted.entryId,
          created_at: clock.now(),
        });
        await repo.setQuoteStatus(t.db, t.orgId, prepaymentId, 'REGISTERED', clock.now());
        return { status: 202, body };
      });
      return res.body;
    },

    /**
     * The day's lending work for a business day: scheduled disbursements due are paid; auto
     * installments due are collected from the loan's account when it can pay them all; unpaid
     * installments past their due date become PAST_DUE (IN_GRACE_PERIOD within the product's
     * grace days, OVERDUE past its threshold).
     */
    dayHandler(): DayHandler {
      return onBusinessDay('lending.loans', async (day) => {
        const { t, date, programId } = day;
        const scope = new Set((programId === null ? await day.programs() : [programId]).map(String));
        for (const d of await repo.dueDisbursements(t.db, t.orgId, date)) {
          const loan = await loadLoan(t, d.loan_id, true);
          if (!scope.has(String(loan.program_id)) || (loan.status !== 'BOOKED' && loan.status !== 'ACTIVE')) continue;
          await payDisbursement(t, loan, d);
        }
        // A later tranche nobody asked for is paid on its date to the account its loan's first tranche went to.
        for (const d of await repo.dueTranches(t.db, t.orgId, date)) {
          const loan = await loadLoan(t, d.loan_id, true);
          if (!scope.has(String(loan.program_id)) || loan.status !== 'ACTIVE') continue;
          const first = (await repo.disbursementsOf(t.db, t.orgId, d.loan_id, true)).find((x) => x.tranche === 1 && x.status === 'PAID');
          if (!first?.account_type) continue;
          const to = { account_type: first.account_type, account_id: first.account_id, external_account: first.external_account === null ? null : JSON.stringify(first.external_account) };
          await repo.updateDisbursement(t.db, t.orgId, d.disbursement_id, { ...to, updated_at: clock.now() });
          await payDisbursement(t, loan, { ...d, account_type: first.account_type, account_id: first.account_id });
        }
        // Collections: every loan due today, its installments, accounts and balances read at once
        // (locked as the payments need them), then each loan in loan_id order. An account paying
        // for several loans is charged in that order, against what the earlier ones left.
        const terms = productTerms(t);
        const collecting = (await repo.lockLoansWithAutoDue(t.db, t.orgId, date)).filter((l) => scope.has(String(l.program_id)));
        const installmentsByLoan = groupByLoan(await repo.installmentsOf(t.db, t.orgId, collecting.map((l) => l.loan_id), true));
        const payers = collecting.filter((loan) => dueAuto(installmentsByLoan.get(loan.loan_id) ?? [], date) > 0n);
        const facts = payers.length ? await accountFacts(t, [...new Set(payers.map((l) => String(l.account_id)))], { share: true }) : new Map<string, AccountFacts>();
        const debitable = [...facts.values()].filter(canDebit);
        const available = new Map([...(debitable.length ? await accountBalances(t, debitable) : new Map())].map(([id, b]) => [id, b.availableLimit as bigint]));
        for (const loan of payers) {
          const installments = installmentsByLoan.get(loan.loan_id) ?? [];
          const amount = dueAuto(installments, date);
          const accountId = String(loan.account_id);
          const f = facts.get(accountId);
          if (!f || !canDebit(f)) continue;
          const left = available.get(f.accountId) ?? 0n;
          if (left < amount) continue; // a failed collection leaves the installments due
          await applyPayment(t, loan, { repaymentId: `AUTO_${date}`, date, amount, externalId: null, source: 'AUTO', from: 'ACCOUNT' }, { installments, terms });
          available.set(f.accountId, left - amount);
        }
        const late = await repo.loansWithUnpaidDue(t.db, t.orgId, date);
        const lateLoans = (await repo.findLoans(t.db, t.orgId, late)).filter((l) => scope.has(String(l.program_id)) && l.status === 'ACTIVE');
        const lateInstallments = groupByLoan(await repo.installmentsOf(t.db, t.orgId, lateLoans.map((l) => l.loan_id)));
        const plansOf = new Map<string, Promise<PenaltyPlanRow[]>>();
        for (const loan of lateLoans) {
          const loanId = loan.loan_id;
          const { product } = await terms(loan.product_id);
          const plansKey = `${loan.product_id}|${loan.currency_numeric_code}`;
          if (!plansOf.has(plansKey)) {
            plansOf.set(
              plansKey,
              product?.penalty_plan_codes?.length
                ? findPlansForUse<PenaltyPlanRow>(t.db, 'lending_penalty_plans', t.orgId, product.penalty_plan_codes).then((rows) =>
                    rows.filter((p) => p.status === 'ENABLED' && p.currency_numeric_code === loan.currency_numeric_code),
                  )
                : Promise.resolve([]),
            );
          }
          const plans = await plansOf.get(plansKey)!;
          for (const i of lateInstallments.get(loanId) ?? []) {
            const status = statusOf(i, date, product?.grace_period_days ?? 0, product?.overdue_threshold_days);
            const penalty = status === 'CANCELED' || status === 'PAID' ? 0n : await chargePenalties(t, i, plans, date);
            if (status !== i.status || penalty > 0n) await repo.updateInstallment(t.db, t.orgId, loanId, i.number, { status, ...(penalty > 0n ? { penalty_minor: i.penalty_minor + penalty } : {}) });
          }
        }
      });
    },
  };
}
