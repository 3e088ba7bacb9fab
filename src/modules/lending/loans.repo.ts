// SQL for the life of a loan: simulations, loans, installments, disbursements and repayments.
// Every function takes the transaction and the org id, and filters on it.
import { CompiledQuery, sql, type Generated, type Insertable, type Selectable, type Updateable } from 'kysely';
import { sendWithNext, type Tx } from '../../platform/db/database.js';
import { ascendingKeys, probe, PROBE_KEYS } from '../../platform/db/probes.js';
import type { Json, Timestamp } from '../../platform/db/tables.js';
import type { DisbursementStatus, InstallmentStatus, LoanStatus } from './loans.schemas.js';

export interface SimulationsTable {
  org_id: string;
  simulation_id: string;
  product_id: string;
  external_id: string | null;
  currency_numeric_code: string;
  loan_amount_minor: bigint;
  start_date: string;
  request: Json<Record<string, unknown>>;
  answer: Json<Record<string, unknown>>;
  expires_at: Timestamp;
  loan_id: string | null;
  created_at: Timestamp;
}

export interface LoansTable {
  org_id: string;
  loan_id: string;
  seq: Generated<bigint>;
  simulation_id: string;
  product_id: string;
  program_id: bigint;
  account_id: bigint;
  external_id: string | null;
  status: LoanStatus;
  currency_numeric_code: string;
  loan_amount_minor: bigint;
  start_date: string;
  terms: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InstallmentsTable {
  org_id: string;
  loan_id: string;
  number: number;
  due_date: string;
  real_due_date: string;
  number_of_days: number;
  principal_minor: bigint;
  interest_minor: bigint;
  fee_minor: bigint;
  tax_minor: bigint;
  charge_minor: bigint;
  penalty_minor: Generated<bigint>;
  paid_principal_minor: Generated<bigint>;
  paid_interest_minor: Generated<bigint>;
  paid_fee_minor: Generated<bigint>;
  paid_tax_minor: Generated<bigint>;
  paid_charge_minor: Generated<bigint>;
  paid_penalty_minor: Generated<bigint>;
  closing_balance_minor: bigint;
  auto: boolean;
  status: InstallmentStatus;
}

export interface DisbursementsTable {
  org_id: string;
  disbursement_id: string;
  loan_id: string;
  disbursement_date: string;
  amount_minor: bigint;
  principal_minor: bigint;
  fee_minor: bigint;
  tax_minor: bigint;
  charge_minor: bigint;
  status: DisbursementStatus;
  /** Its place in the disbursement schedule: 1 for the first (or only) one. */
  tranche: Generated<number>;
  account_type: 'INTERNAL' | 'EXTERNAL' | null;
  account_id: bigint | null;
  external_account: Json<Record<string, unknown>> | null;
  entry_id: bigint | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RepaymentsTable {
  org_id: string;
  loan_id: string;
  repayment_id: string;
  repayment_date: string;
  amount_minor: bigint;
  overpayment_minor: bigint;
  external_id: string | null;
  source: 'MANUAL' | 'AUTO' | 'PREPAYMENT' | 'EARLY_SETTLEMENT';
  allocation: Json<unknown[]>;
  entry_id: bigint | null;
  created_at: Timestamp;
}

export interface QuotesTable {
  org_id: string;
  quote_id: string;
  loan_id: string;
  kind: 'PREPAYMENT' | 'EARLY_SETTLEMENT';
  amount_minor: bigint;
  answer: Json<Record<string, unknown>>;
  status: 'SIMULATED' | 'REGISTERED';
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_loan_quotes: QuotesTable;
    lending_simulations: SimulationsTable;
    lending_loans: LoansTable;
    lending_loan_installments: InstallmentsTable;
    lending_disbursements: DisbursementsTable;
    lending_repayments: RepaymentsTable;
  }
}

export type SimulationRow = Selectable<SimulationsTable>;
export type LoanRow = Selectable<LoansTable>;
export type InstallmentRow = Selectable<InstallmentsTable>;
export type DisbursementRow = Selectable<DisbursementsTable>;
export type RepaymentRow = Selectable<RepaymentsTable>;

// ---- simulations ----

/** The new simulation, or undefined when its id is taken in the org. */
export const insertSimulation = (tx: Tx, row: Insertable<SimulationsTable>) =>
  tx.insertInto('lending_simulations').values(row).onConflict((oc) => oc.columns(['org_id', 'simulation_id']).doNothing()).returningAll().executeTakeFirst();

/**
 * A simulation whose id Lastro made (a fresh UUID: no conflict to answer), sent with the
 * transaction's next statement or its COMMIT instead of on its own.
 */
export const insertNewSimulation = (tx: Tx, row: Insertable<SimulationsTable>): Promise<void> =>
  sendWithNext(
    tx,
    CompiledQuery.raw(INSERT_SIMULATION, [
      row.org_id,
      row.simulation_id,
      row.product_id,
      row.external_id ?? null,
      row.currency_numeric_code,
      row.loan_amount_minor,
      row.start_date,
      row.request,
      row.answer,
      row.expires_at,
      row.loan_id ?? null,
      row.created_at,
    ]),
  );
// Every simulation sends it: written once rather than built by Kysely each time.
const INSERT_SIMULATION =
  'insert into "lending_simulations" ("org_id", "simulation_id", "product_id", "external_id", "currency_numeric_code", "loan_amount_minor", "start_date", "request", "answer", "expires_at", "loan_id", "created_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)';

export const findSimulation = (tx: Tx, orgId: string, simulationId: string, lock = false) => {
  const q = tx.selectFrom('lending_simulations').selectAll().where('org_id', '=', orgId).where('simulation_id', '=', simulationId);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
};

export const markSimulationUsed = (tx: Tx, orgId: string, simulationId: string, loanId: string) =>
  tx.updateTable('lending_simulations').set({ loan_id: loanId }).where('org_id', '=', orgId).where('simulation_id', '=', simulationId).execute();

// ---- loans ----

/** The new loan, or undefined when its id is taken in the org. */
export const insertLoan = (tx: Tx, row: Insertable<LoansTable>) =>
  tx.insertInto('lending_loans').values(row).onConflict((oc) => oc.columns(['org_id', 'loan_id']).doNothing()).returningAll().executeTakeFirst();

/** The loan statuses that hold the loan's account: every status but the final CANCELED, SETTLED, RENEGOTIATED. */
export const ACCOUNT_HOLDING_STATUSES: LoanStatus[] = ['PENDING', 'BOOKED', 'ACTIVE'];

/**
 * Serialises the bookings on one account until the transaction ends: the second waits, then
 * (READ COMMITTED: its next statement sees the first's commit) finds the first one's loan.
 */
export async function lockAccountForBooking(tx: Tx, orgId: string, accountId: bigint): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${orgId}:lending-account:${accountId}`}, 0))`.execute(tx);
}

/** A loan of the account that is not final (CANCELED, SETTLED, RENEGOTIATED), if any. */
export const openLoanOnAccount = (tx: Tx, orgId: string, accountId: bigint) =>
  tx
    .selectFrom('lending_loans')
    .select(['loan_id', 'status'])
    .where('org_id', '=', orgId)
    .where('account_id', '=', accountId)
    .where('status', 'in', ACCOUNT_HOLDING_STATUSES)
    .limit(1)
    .executeTakeFirst();

export const findLoan = (tx: Tx, orgId: string, loanId: string, lock = false) => {
  const q = tx.selectFrom('lending_loans').selectAll().where('org_id', '=', orgId).where('loan_id', '=', loanId);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
};

export const updateLoan = (tx: Tx, orgId: string, loanId: string, set: Updateable<LoansTable>) =>
  tx.updateTable('lending_loans').set(set).where('org_id', '=', orgId).where('loan_id', '=', loanId).execute();

export interface LoanFilter {
  status?: string;
  accountId?: bigint;
  productId?: string;
}

/** Loans after `afterSeq`, in booking order, at most `limit`. */
export function listLoans(tx: Tx, orgId: string, afterSeq: bigint, limit: number, filter: LoanFilter) {
  let q = tx.selectFrom('lending_loans').selectAll().where('org_id', '=', orgId).where('seq', '>', afterSeq);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status as LoanStatus);
  if (filter.accountId !== undefined) q = q.where('account_id', '=', filter.accountId);
  if (filter.productId !== undefined) q = q.where('product_id', '=', filter.productId);
  return q.orderBy('seq').limit(limit).execute();
}

// ---- installments ----

export async function insertInstallments(tx: Tx, rows: Insertable<InstallmentsTable>[]): Promise<void> {
  if (rows.length) await tx.insertInto('lending_loan_installments').values(rows).execute();
}

/** Installments of loans, in order; FOR UPDATE when they are about to be paid. */
export async function installmentsOf(tx: Tx, orgId: string, loanIds: string[], lock = false): Promise<InstallmentRow[]> {
  if (loanIds.length === 0) return [];
  const text = `${INSTALLMENTS_OF} order by i.loan_id, i.number${lock ? ' for update of i' : ''}`;
  return (await tx.executeQuery<InstallmentRow>(CompiledQuery.raw(text, [orgId, ascendingKeys(loanIds)]))).rows;
}
// By loan ids: one probe of the primary key per loan, whatever the tables' statistics (platform/db/probes.ts).
const INSTALLMENTS_OF = `select i.* from ${PROBE_KEYS} ${probe('lending_loan_installments', 'i', 'loan_id', 'number')}`;

export const updateInstallment = (tx: Tx, orgId: string, loanId: string, n: number, set: Updateable<InstallmentsTable>) =>
  tx.updateTable('lending_loan_installments').set(set).where('org_id', '=', orgId).where('loan_id', '=', loanId).where('number', '=', n).execute();

export const updateLoanInstallments = (tx: Tx, orgId: string, loanId: string, set: Updateable<InstallmentsTable>) =>
  tx.updateTable('lending_loan_installments').set(set).where('org_id', '=', orgId).where('loan_id', '=', loanId).execute();

/** ACTIVE loans of the org with an unpaid auto-collected installment due on or before `date`, locked FOR UPDATE, in loan_id order. */
export const lockLoansWithAutoDue = (tx: Tx, orgId: string, date: string) =>
  tx
    .selectFrom('lending_loans as l')
    .selectAll('l')
    .where('l.org_id', '=', orgId)
    .where('l.status', '=', 'ACTIVE')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('lending_loan_installments as i')
          .select('i.number')
          .whereRef('i.org_id', '=', 'l.org_id')
          .whereRef('i.loan_id', '=', 'l.loan_id')
          .where('i.auto', '=', true)
          .where('i.status', '<>', 'PAID')
          .where('i.real_due_date', '<=', date),
      ),
    )
    .orderBy('l.loan_id')
    .forUpdate()
    .execute();

/** The loans of `loanIds` (those of the org), in loan_id order. */
export async function findLoans(tx: Tx, orgId: string, loanIds: string[]): Promise<LoanRow[]> {
  if (loanIds.length === 0) return [];
  return (await tx.executeQuery<LoanRow>(CompiledQuery.raw(FIND_LOANS, [orgId, ascendingKeys(loanIds)]))).rows;
}
const FIND_LOANS = `select l.* from ${PROBE_KEYS} ${probe('lending_loans', 'l', 'loan_id')} order by l.loan_id`;

/** Loans of the org with an unpaid installment due before `date` (its status to update, its penalties to charge). */
export async function loansWithUnpaidDue(tx: Tx, orgId: string, date: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('lending_loan_installments')
    .select('loan_id')
    .distinct()
    .where('org_id', '=', orgId)
    .where('status', 'in', ['SCHEDULED', 'IN_GRACE_PERIOD', 'PAST_DUE', 'PARTIALLY_PAID', 'OVERDUE'])
    .where('real_due_date', '<', date)
    .orderBy('loan_id')
    .execute();
  return rows.map((r) => r.loan_id);
}

// ---- disbursements ----

export const insertDisbursement = (tx: Tx, row: Insertable<DisbursementsTable>) =>
  tx.insertInto('lending_disbursements').values(row).onConflict((oc) => oc.columns(['org_id', 'disbursement_id']).doNothing()).returningAll().executeTakeFirst();

export function disbursementsOf(tx: Tx, orgId: string, loanId: string, lock = false) {
  const q = tx.selectFrom('lending_disbursements').selectAll().where('org_id', '=', orgId).where('loan_id', '=', loanId).orderBy('created_at').orderBy('tranche').orderBy('disbursement_id');
  return (lock ? q.forUpdate() : q).execute();
}

export const updateDisbursement = (tx: Tx, orgId: string, disbursementId: string, set: Updateable<DisbursementsTable>) =>
  tx.updateTable('lending_disbursements').set(set).where('org_id', '=', orgId).where('disbursement_id', '=', disbursementId).execute();

/** Disbursements SCHEDULED with an account, due on or before `date` (for the day handler). */
export const dueDisbursements = (tx: Tx, orgId: string, date: string) =>
  tx
    .selectFrom('lending_disbursements')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'SCHEDULED')
    .where('account_type', 'is not', null)
    .where('disbursement_date', '<=', date)
    .orderBy('disbursement_date')
    .orderBy('tranche')
    .orderBy('disbursement_id')
    .execute();

/** Later tranches (2, 3 …) SCHEDULED without an account, due on or before `date`: paid where the loan's first went. */
export const dueTranches = (tx: Tx, orgId: string, date: string) =>
  tx
    .selectFrom('lending_disbursements')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('status', '=', 'SCHEDULED')
    .where('account_type', 'is', null)
    .where('tranche', '>', 1)
    .where('disbursement_date', '<=', date)
    .orderBy('disbursement_date')
    .orderBy('tranche')
    .orderBy('disbursement_id')
    .execute();

// ---- repayments ----

export const insertRepayment = (tx: Tx, row: Insertable<RepaymentsTable>) =>
  tx.insertInto('lending_repayments').values(row).onConflict((oc) => oc.columns(['org_id', 'loan_id', 'repayment_id']).doNothing()).returningAll().executeTakeFirst();

export const findRepayment = (tx: Tx, orgId: string, loanId: string, repaymentId: string) =>
  tx.selectFrom('lending_repayments').selectAll().where('org_id', '=', orgId).where('loan_id', '=', loanId).where('repayment_id', '=', repaymentId).executeTakeFirst();

// ---- prepayment and early-settlement quotes ----

export type QuoteRow = Selectable<QuotesTable>;

export const insertQuote = (tx: Tx, row: Insertable<QuotesTable>) => tx.insertInto('lending_loan_quotes').values(row).execute();

export const findQuote = (tx: Tx, orgId: string, loanId: string, quoteId: string) =>
  tx.selectFrom('lending_loan_quotes').selectAll().where('org_id', '=', orgId).where('loan_id', '=', loanId).where('quote_id', '=', quoteId).forUpdate().executeTakeFirst();

export const setQuoteStatus = (tx: Tx, orgId: string, quoteId: string, status: QuoteRow['status'], at: Date) =>
  tx.updateTable('lending_loan_quotes').set({ status, updated_at: at }).where('org_id', '=', orgId).where('quote_id', '=', quoteId).execute();

// ---- penalty accruals ----

export interface PenaltyAccrualsTable {
  org_id: string;
  loan_id: string;
  number: number;
  plan_code: string;
  period: number;
  accrual_date: string;
  amount_minor: bigint;
  created_at: Timestamp;
}

declare module '../../platform/db/tables.js' {
  interface Tables {
    lending_penalty_accruals: PenaltyAccrualsTable;
  }
}

/** Records one accrual; false when that period of that plan was already charged. */
export async function insertPenaltyAccrual(tx: Tx, row: Insertable<PenaltyAccrualsTable>): Promise<boolean> {
  const r = await tx
    .insertInto('lending_penalty_accruals')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'loan_id', 'number', 'plan_code', 'period']).doNothing())
    .returning('period')
    .executeTakeFirst();
  return r !== undefined;
}
