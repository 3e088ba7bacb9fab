// Loans paid out in several disbursements (tranches, a product whose disbursement type is
// MULTIPLE) over HTTP: the simulation to the cent, booking one disbursement per tranche, the first
// paid now and the later ones on their dates by the sandbox clock, repayment to SETTLED, early
// settlement canceling the tranches not paid out, and the refusals. The ledger verifies throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { setupTenant, NO_RATE_LIMITS, type Tenant } from '../helpers/fixture.js';
import { bodies, waitFor } from './programs-fixtures.js';
import { createAccount, createProgram, type TestAccount, type TestProgram } from '../helpers/accounts.js';
import { personalProduct } from '../helpers/lending.js';

let app: TestApp;
let h: Record<string, string>;
let tenant: Tenant;
let creditProgram: number;
let debitProgram: number;
/** The borrower of the loan booked last: an account holds one live loan at a time. */
let account: TestAccount;
let debit: TestProgram;
let merchant: TestAccount;

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = h) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function ok(res: { statusCode: number; body: string; json: () => any }, status = 201) {
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

/** The events the org emitted of one type, oldest first. */
async function eventsOf(type: string): Promise<any[]> {
  const rows = await app.platform.db.kysely.selectFrom('event_outbox_events').selectAll().where('event_type', '=', type).orderBy('seq').execute();
  return rows.map((r: any) => r.data);
}

const balanceOf = async (accountId: number) => (await ok(await call('GET', `/accounts/v1/accounts/${accountId}`), 200)).current_balance as number;
const verify = async () => expect(await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).toMatchObject({ ok: true, differences: [] });
const today = async () => (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
const plus = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Advances the sandbox clock and waits until every passed day is closed. */
async function advance(days: number) {
  const res = await call('POST', '/lastro/v1/clock/advance', { days });
  expect([200, 202], res.body).toContain(res.statusCode);
  if (res.statusCode === 200) return;
  await waitFor(async () => ((await ok(await call('GET', `/lastro/v1/clock/advances/${res.json().id}`), 200)).status === 'DONE' ? true : undefined), 120_000);
}

beforeAll(async () => {
  let fixture;
  ({ app, ...tenant } = fixture = await setupTenant({ start: true, env: NO_RATE_LIMITS, org: { sandbox: true } }));
  h = fixture.headers;
  creditProgram = (await ok(await call('POST', '/programs/v1/programs/template', bodies.CREDITO), 200)).id;
  debit = await createProgram(app, tenant, 'DEBITO');
  debitProgram = debit.programId;
  account = await createAccount(app, tenant, { program: debit });
  merchant = await createAccount(app, tenant, { program: debit });
  const multiple = { disbursement: { type: 'MULTIPLE' }, stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }] };
  await ok(await call('POST', '/lending/v1/loan-products', personalProduct(creditProgram, { product_id: 'TRANCHES_MONTHLY', ...multiple })));
  await ok(await call('POST', '/lending/v1/loan-products', personalProduct(creditProgram, { product_id: 'ONE_DISBURSEMENT' })));
  // Weekly: every period is 7 days whatever today is, so the amounts below hold on any date.
  const weekly = { ...multiple, repayment_frequency: { method: 'WEEKLY' }, early_final_settlement: { penalty: { type: 'FIXED_AMOUNT', value: 0 } },
    prepayment: { penalty: { type: 'PERCENTAGE', value: 0.01 }, reduce_option: ['INSTALLMENT'] },
  };
  await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: 'TRANCHES_WEEKLY', ...weekly })));
});
afterAll(async () => app?.close());

/** 4 000.00 at 12 % a year, 4 monthly installments from 2022-06-24, in three tranches. */
const monthlyTranches = (disbursement: unknown[], extra: Record<string, unknown> = {}) => ({
  product_id: 'TRANCHES_MONTHLY',
  loan_amount: 4000,
  start_date: '2022-06-24',
  stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 4, unit: 'MONTH' } }],
  disbursement,
  ...extra,
});
const THREE = [
  { due_date: '2022-06-24', amount: 1000 },
  { due_date: '2022-07-24', amount: 1000 },
  { due_date: '2022-09-09', amount: 2000 },
];

describe('simulation in tranches', () => {
  it('each tranche bears interest from its own date and re-amortizes the installment: to the cent', async () => {
    // By hand, 1 % a month (12 % ÷ 12), PMT(r, n, B) = B·r / (1 − (1 + r)^−n), half-even cents:
    // 1 (06-24 → 07-24, 30 d): balance 1000.00; PMT(1 %, 4, 1000.00) = 256.281… → 256.28;
    //   interest 10.00; principal 246.28; balance 753.72.
    // 2 (07-24 → 08-24, 31 d): tranche 2 (1000.00) on 07-24, the period's first day, out all 31
    //   days: opening 1753.72; PMT(1 %, 3, 1753.72) = 596.303… → 596.30; interest 17.5372 → 17.54;
    //   principal 578.76; balance 1174.96.
    // 3 (08-24 → 09-24, 31 d): tranche 3 (2000.00) on 09-09, out 15 of 31 days: opening 3174.96;
    //   PMT(1 %, 2, 3174.96) = 1611.331… → 1611.33; interest 1 % × (1174.96 + 2000 × 15/31)
    //   = 21.427… → 21.43; principal 1589.90; balance 1585.06.
    // 4 (09-24 → 10-24): interest 15.8506 → 15.85; principal 1585.06; payment 1600.91.
    // Interest 10.00 + 17.54 + 21.43 + 15.85 = 64.82; total 4064.82.
    const sim = await ok(await call('POST', '/lending/v1/simulations', monthlyTranches(THREE)));
    expect(sim.repayment_schedule.map((i: any) => [i.due_date, i.number_of_days, i.payment_amount, i.principal_amount, i.interest_amount, i.balance])).toEqual([
      ['2022-07-24', 30, 256.28, 246.28, 10.0, 753.72],
      ['2022-08-24', 31, 596.3, 578.76, 17.54, 1174.96],
      ['2022-09-24', 31, 1611.33, 1589.9, 21.43, 1585.06],
      ['2022-10-24', 30, 1600.91, 1585.06, 15.85, 0],
    ]);
    expect(sim).toMatchObject({ loan_amount: 4000, outstanding_balance: { principal: 4000, interest: 64.82, total: 4064.82 }, total_payment_amount: 4064.82 });
    expect(sim.disbursement_schedule).toEqual([
      { date: '2022-06-24', due_date: '2022-06-24', amount: 1000, principal: 1000, tax: 0, fee: 0, charge: 0 },
      { date: '2022-07-24', due_date: '2022-07-24', amount: 1000, principal: 1000, tax: 0, fee: 0, charge: 0 },
      { date: '2022-09-09', due_date: '2022-09-09', amount: 2000, principal: 2000, tax: 0, fee: 0, charge: 0 },
    ]);
    expect(await ok(await call('GET', `/lending/v1/simulations/${sim.loan_simulation_id}`), 200)).toEqual(sim);
    const created = (await eventsOf('loan-simulation-creation')).find((e) => e.simulation_id === sim.loan_simulation_id);
    expect(created?.disbursement_schedule).toEqual([
      { date: '2022-06-24', amount: 1000 },
      { date: '2022-07-24', amount: 1000 },
      { date: '2022-09-09', amount: 2000 },
    ]);
  });

  it('one item keeps the single-disbursement schedule, with or without its amount', async () => {
    const single = { due_date: '2022-06-24' };
    const a = await ok(await call('POST', '/lending/v1/simulations', monthlyTranches([single])));
    const b = await ok(await call('POST', '/lending/v1/simulations', monthlyTranches([{ ...single, amount: 4000 }])));
    expect(b.repayment_schedule).toEqual(a.repayment_schedule);
    expect(a.disbursement_schedule).toEqual([{ date: '2022-06-24', due_date: '2022-06-24', amount: 4000, principal: 4000, tax: 0, fee: 0, charge: 0 }]);
  });

  it('refuses several items on a SINGLE product (ELND0011) and bad tranches with a 400 naming the field', async () => {
    const sim = (disbursement: unknown[], extra: Record<string, unknown> = {}) => call('POST', '/lending/v1/simulations', monthlyTranches(disbursement, extra));
    expectError(await sim(THREE, { product_id: 'ONE_DISBURSEMENT' }), 400, 'ELND0011', 'body.disbursement');
    // Amounts not summing to loan_amount.
    expectError(await sim([THREE[0], THREE[1], { ...THREE[2], amount: 1999.99 }]), 400, 'ELND0003', 'body.disbursement');
    // Dates out of order, or the same date twice.
    expectError(await sim([THREE[0], THREE[2], THREE[1]]), 400, 'ELND0003', 'body.disbursement[2].due_date');
    expectError(await sim([THREE[0], THREE[1], { ...THREE[2], due_date: '2022-07-24' }]), 400, 'ELND0003', 'body.disbursement[2].due_date');
    // The first before the start date.
    expectError(await sim([{ ...THREE[0], due_date: '2022-06-23' }, THREE[1], THREE[2]]), 400, 'ELND0003', 'body.disbursement[0].due_date');
    // A tranche on or after the maturity date.
    expectError(await sim([THREE[0], THREE[1], { ...THREE[2], due_date: '2022-10-24' }]), 400, 'ELND0003', 'body.disbursement[2].due_date');
    // Several items without their amounts; one item with an amount that is not the loan's.
    expectError(await sim([THREE[0], { due_date: '2022-07-24' }, THREE[2]]), 400, 'ELND0003', 'body.disbursement[1].amount');
    expectError(await sim([{ due_date: '2022-06-24', amount: 3999 }]), 400, 'ELND0003', 'body.disbursement[0].amount');
  });
});

/** 3 000.00 at 52 % a year (1 % a week), 3 weekly installments from today: 1 000.00 today and 2 000.00 ten days on. */
async function bookWeekly(extra: Record<string, unknown> = {}) {
  const start = await today();
  const sim = await ok(
    await call('POST', '/lending/v1/simulations', {
      product_id: 'TRANCHES_WEEKLY',
      loan_amount: 3000,
      start_date: start,
      stages: [{ interest_rate: { value: 0.52, unit: 'YEAR' }, period: { value: 3, unit: 'WEEK' } }],
      disbursement: [
        { due_date: start, amount: 1000 },
        { due_date: plus(start, 10), amount: 2000 },
      ],
      ...extra,
    }),
  );
  account = await createAccount(app, tenant, { program: debit });
  const booked = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
  return { sim, start, loanId: booked.loan_id as string };
}

const disburseNow = (loanId: string, date: string, amount: number, accountId = account.accountId, extra: Record<string, unknown> = {}) =>
  call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: date, disbursed_amount: amount, disbursement_account: { type: 'INTERNAL', account_id: accountId }, ...extra });

describe('a loan in tranches, from booking to SETTLED', () => {
  it('books one disbursement per tranche; the first is paid now, the second on its date; repaid to SETTLED; the ledger verifies', async () => {
    const { sim, start, loanId } = await bookWeekly();
    // By hand, 1 % a week, every period 7 days:
    // 1: PMT(1 %, 3, 1000.00) = 340.02; interest 10.00; principal 330.02; balance 669.98.
    // 2 (days 7–14): tranche 2 on day 10, out 4 of 7 days: opening 2669.98; PMT(1 %, 2, 2669.98)
    //   = 1355.048… → 1355.05; interest 1 % × (669.98 + 2000 × 4/7) = 18.128… → 18.13;
    //   principal 1336.92; balance 1333.06.
    // 3: interest 13.3306 → 13.33; principal 1333.06; payment 1346.39. Total 3041.46.
    expect(sim.repayment_schedule.map((i: any) => [i.payment_amount, i.principal_amount, i.interest_amount, i.balance])).toEqual([
      [340.02, 330.02, 10.0, 669.98],
      [1355.05, 1336.92, 18.13, 1333.06],
      [1346.39, 1333.06, 13.33, 0],
    ]);
    expect(sim.total_payment_amount).toBe(3041.46);
    let loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('BOOKED');
    expect(loan.disbursement_schedule.map((d: any) => [d.status, d.date, d.amount])).toEqual([
      ['SCHEDULED', start, 1000],
      ['SCHEDULED', plus(start, 10), 2000],
    ]);
    const [first, second] = loan.disbursement_schedule.map((d: any) => d.disbursement_id as string);

    // The next tranche is the first: paid now, the loan ACTIVE.
    const before = await balanceOf(account.accountId);
    expectError(await disburseNow(loanId, start, 3000), 400, 'ELND0003', 'body.disbursed_amount');
    const d1 = await ok(await disburseNow(loanId, start, 1000), 202);
    expect(d1).toMatchObject({ disbursement_id: first, disbursement_status: 'PAID', loan_amount: 3000, disbursed_amount: 1000 });
    expect(await balanceOf(account.accountId)).toBe(before + 1000);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('ACTIVE');
    expect(loan.disbursement_schedule.map((d: any) => d.status)).toEqual(['PAID', 'SCHEDULED']);
    // The second cannot be paid out before its date; the first cannot be paid twice.
    expectError(await disburseNow(loanId, start, 2000, account.accountId, { disbursement_id: second }), 400, 'ELND0003', 'body.disbursement_date');
    expectError(await disburseNow(loanId, start, 1000, account.accountId, { disbursement_id: first }), 400, 'ELND0003', 'body.disbursement_id');
    // Nor can the loan be canceled once a tranche is paid.
    expectError(await call('DELETE', `/lending/v1/loans/${loanId}`), 400, 'ELND0003', 'path.loanId');
    await verify();

    // Ten days on (and the weekend after, when day 10 is not a business day), the day handler
    // pays the second tranche where the first went.
    await advance(13);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.disbursement_schedule.map((d: any) => [d.status, d.disbursement_account?.account_id])).toEqual([
      ['PAID', account.accountId],
      ['PAID', account.accountId],
    ]);
    expect(await balanceOf(account.accountId)).toBe(before + 3000);
    const changes = (await eventsOf('loan-disbursement-status-change')).filter((e) => e.loan_id === loanId);
    expect(changes.map((e) => [e.disbursement_id, e.current_disbursement_status, e.disbursed_amount])).toEqual([
      [first, 'PROCESSING', 1000],
      [first, 'PAID', 1000],
      [second, 'PROCESSING', 2000],
      [second, 'PAID', 2000],
    ]);
    expect((await eventsOf('loan-status-change')).filter((e) => e.loan_id === loanId).map((e) => e.current_loan_status)).toEqual(['ACTIVE']);
    await verify();

    // Repaid: installment 1, then everything else; SETTLED.
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'tr-1', repayment_date: await today(), repayment_amount: 340.02 }), 202);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule[0].status).toBe('PAID');
    expect(loan.outstanding_balance).toMatchObject({ principal: 2669.98, interest: 31.46, total: 2701.44 });
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'tr-2', repayment_date: await today(), repayment_amount: 2701.44 }), 202);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('SETTLED');
    expect(loan.outstanding_balance.total).toBe(0);
    await verify();
  });

  it('a later tranche named by the client waits for its date in the account given; auto-collection; early settlement cancels one not paid out', async () => {
    const { start, loanId } = await bookWeekly({ auto_collection: true });
    let loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    const second = loan.disbursement_schedule[1].disbursement_id as string;
    await ok(await disburseNow(loanId, start, 1000), 202);
    const before = await balanceOf(merchant.accountId);
    const d2 = await ok(await disburseNow(loanId, plus(start, 10), 2000, merchant.accountId, { disbursement_id: second }), 202);
    expect(d2).toMatchObject({ disbursement_id: second, disbursement_status: 'SCHEDULED', disbursement_date: plus(start, 10) });
    await advance(13);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.disbursement_schedule.map((d: any) => d.status)).toEqual(['PAID', 'PAID']);
    expect(await balanceOf(merchant.accountId)).toBe(before + 2000);
    // Installment 1 (day 7) was collected from the loan's account on its due date; 2 is not due yet.
    expect(loan.repayment_schedule.map((i: any) => i.status)).toEqual(['PAID', 'SCHEDULED', 'SCHEDULED']);
    expect(loan.outstanding_balance).toMatchObject({ principal: 2669.98, interest: 31.46 });
    await verify();

    // Another loan settled before its second tranche: only the first is owed; the second is CANCELED.
    const other = await bookWeekly();
    await ok(await disburseNow(other.loanId, other.start, 1000), 202);
    expectError(await call('POST', `/lending/v1/loans/${other.loanId}/early-settlement/simulate`, { reference_date: plus(other.start, 10) }), 400, 'ELND0003', 'body.reference_date');
    // A prepayment re-schedules the loan: it waits until every tranche is paid out.
    expectError(await call('POST', `/lending/v1/loans/${other.loanId}/prepayment/simulate`, { amount_paid: 100, waive_penalty: true }), 400, 'ELND0003', 'path.loanId');
    // Eight days on, before the second tranche (day 10): installment 1 is due in full (340.02,
    // interest 10.00); of period 2 (days 7–14) one day has run, on the 669.98 carried alone:
    // its scheduled 18.13 less the tranche's share, 18.13 × 669.98·7 / (669.98·7 + 2000·4) = 6.70,
    // then 1 day of 7: 0.957… → 0.96 (1 % × 669.98 ÷ 7 = 0.957 directly). Principal: the 1000.00
    // paid out, not the 2000.00 that was not. Total 1000.00 + 10.00 + 0.96 = 1010.96.
    await advance(8);
    const quote = await ok(await call('POST', `/lending/v1/loans/${other.loanId}/early-settlement/simulate`, {}));
    expect(quote.reference_date).toBe(plus(other.start, 8));
    expect(quote.outstanding).toMatchObject({ principal: 1000, interest: 10.96, installments: 3 });
    expect(quote.total_to_settle).toBe(1010.96);
    await ok(await call('POST', `/lending/v1/loans/${other.loanId}/early-settlement/${quote.id}/register`), 202);
    const settled = await ok(await call('GET', `/lending/v1/loans/${other.loanId}?expand=true`), 200);
    expect(settled.status).toBe('SETTLED');
    expect(settled.outstanding_balance.total).toBe(0);
    expect(settled.disbursement_schedule.map((d: any) => d.status)).toEqual(['PAID', 'CANCELED']);
    const canceled = (await eventsOf('loan-disbursement-status-change')).filter((e) => e.loan_id === other.loanId).map((e) => e.current_disbursement_status);
    expect(canceled).toEqual(['PROCESSING', 'PAID', 'CANCELED']);
    await verify();
  });

  it('a loan not disbursed yet is canceled with every tranche', async () => {
    const { loanId } = await bookWeekly();
    await ok(await call('DELETE', `/lending/v1/loans/${loanId}`), 202);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('CANCELED');
    expect(loan.disbursement_schedule.map((d: any) => d.status)).toEqual(['CANCELED', 'CANCELED']);
  });
});
