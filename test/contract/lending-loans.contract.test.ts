// Contract tests of Pismo's Lending API v1 loan lifecycle (Lending-v1-2026-03-17.yaml):
// simulations, booking, loans, cancellation, disbursement and repayment — real requests and
// responses, success and each documented error, checked against the file. Where the seed (the
// user's own description) differs — ACTUAL_ACTUAL, stage period units — the exchange is checked
// with the deviations declared below, and nothing else may differ.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount, type TestProgram } from '../helpers/accounts.js';
import { newBorrower } from '../helpers/lending.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, addTenant, setupTenant, type Tenant } from '../helpers/fixture.js';
import { checkExchange, describeContract, type RequestSample } from './pismo-spec.js';

const LENDING = 'Lending-v1-2026-03-17.yaml';

let app: TestApp;
let tenant: Tenant;
let h: Record<string, string>;
let account: TestAccount;
let program: TestProgram;
/** An account of its own for each loan: an account holds one loan until it is final. */
const borrower = async () => (await newBorrower(app, tenant, program)).accountId;

/** The seed's deviations from the v1 file (its product's day count, a stage period's unit). */
const SEED_DEVIATIONS = [/days_in_year_method must be equal to one of the allowed values/, /repayment_calculation_method must be equal to one of the allowed values/];
/**
 * The file contradicts itself: a simulation's `simulation_id` is a custom `[A-Z0-9_]` id, yet the
 * answer's `loan_simulation_id` is typed uuid. A custom id is answered as given.
 */
const CUSTOM_SIMULATION_ID = /loan_simulation_id must match format "uuid"/;

async function exchange(req: RequestSample, expected: number, opts: { request?: boolean; headers?: Record<string, string> } = {}) {
  const headers = opts.headers ?? h;
  const query = req.query ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
  const res = await app.http.inject({ method: req.method as 'GET', url: req.path + query, headers, ...(req.body === undefined ? {} : { payload: req.body as object }) });
  expect(res.statusCode, res.body).toBe(expected);
  const problems = checkExchange(LENDING, { ...req, headers }, res, { request: opts.request ?? true });
  expect(problems.filter((p) => ![...SEED_DEVIATIONS, CUSTOM_SIMULATION_ID].some((a) => a.test(p)))).toEqual([]);
  return res;
}

const simulation = (extra: Record<string, unknown> = {}) => ({
  product_id: 'CONTRACT_LOAN',
  loan_amount: 1000.0,
  start_date: '2022-06-24',
  stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3 } }],
  disbursement: [{ due_date: '2022-06-24' }],
  ...extra,
});

/** The file's example external account. */
const EXTERNAL = { type: 'EXTERNAL', account_id: 784165, bank_id: '785', account_number: '8494156', account_digit: '06', branch_number: '89198', branch_digit: '01', external_id: '89419431dfdfg' };

async function book(): Promise<string> {
  const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation() }, 201)).json();
  return (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: await borrower() } }, 202)).json().loan_id;
}

describeContract('Pismo contract: Lending v1 loans', () => {
  beforeAll(async () => {
    let fixture;
    ({ app, ...tenant } = fixture = await setupTenant({ start: true, env: NO_RATE_LIMITS, org: { sandbox: true } }));
    h = fixture.headers;
    program = await createProgram(app, tenant, 'DEBITO');
    account = await createAccount(app, tenant, { program });
    const product = {
      product_id: 'CONTRACT_LOAN',
      program_id: program.programId,
      product_name: 'Contract loan',
      product_type: 'PERSONAL',
      collateral: 'NONE',
      currency: 986,
      days_in_year_method: 'US_30_360',
      disbursement: { type: 'SINGLE' },
      interest_type: 'SIMPLE',
      loan_type: 'FIXED_RATE',
      repayment_calculation_method: 'EI_REDUCING_BALANCE',
      repayment_frequency: { method: 'MONTHLY' },
      stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }],
    };
    expect((await app.http.inject({ method: 'POST', url: '/lending/v1/loan-products', headers: h, payload: product })).statusCode).toBe(201);
    const tranches = { ...product, product_id: 'CONTRACT_TRANCHES', disbursement: { type: 'MULTIPLE' } };
    expect((await app.http.inject({ method: 'POST', url: '/lending/v1/loan-products', headers: h, payload: tranches })).statusCode).toBe(201);
  });
  afterAll(async () => app?.close());

  it('simulations: create (the seed example), get, and the documented errors', async () => {
    const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ external_id: 'ext-1' }) }, 201)).json();
    expect(sim.total_payment_amount).toBe(1020.07);
    await exchange({ method: 'GET', path: `/lending/v1/simulations/${sim.loan_simulation_id}` }, 200);
    expect((await exchange({ method: 'GET', path: '/lending/v1/simulations/NOPE' }, 404)).json().code).toBe('ELND0005');
    const key = { ...h, 'idempotency-key': '7c1f0a2e-5d6b-4e8f-9a1b-2c3d4e5f6a7b' };
    await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation() }, 201, { headers: key });
    expect((await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ loan_amount: 2000 }) }, 202, { headers: key })).json().code).toBe('WLND0001');
    const { product_id: _p, ...noProduct } = simulation();
    const { start_date: _s, ...noStart } = simulation();
    const { loan_amount: _a, ...noAmount } = simulation();
    const { stages: _st, ...noStages } = simulation();
    const { disbursement: _d, ...noDisbursement } = simulation();
    const cases: [Record<string, unknown>, string][] = [
      [simulation({ stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 501 } }] }), 'ELND0006'],
      [simulation({ simulation_id: 'S'.repeat(37) }), 'ELND0110'],
      [noProduct, 'ELND0101'],
      [noStart, 'ELND0102'],
      [noAmount, 'ELND0104'],
      [simulation({ loan_amount: 0 }), 'ELND0105'],
      [noStages, 'ELND0106'],
      [simulation({ stages: [] }), 'ELND0107'],
      [noDisbursement, 'ELND0108'],
      [simulation({ disbursement: [] }), 'ELND0109'],
      [simulation({ simulation_id: 'lower_case' }), 'ELND0110'],
      [simulation({ disbursement: [{}] }), 'ELND0111'],
      [simulation({ stages: [{ period: { value: 3 } }] }), 'ELND0113'],
      [simulation({ stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' } }] }), 'ELND0114'],
      [simulation({ stages: [{ interest_rate: { unit: 'YEAR' }, period: { value: 3 } }] }), 'ELND0115'],
      [simulation({ stages: [{ interest_rate: { value: -1, unit: 'YEAR' }, period: { value: 3 } }] }), 'ELND0116'],
      [simulation({ stages: [{ interest_rate: { value: 0.12 }, period: { value: 3 } }] }), 'ELND0117'],
      [simulation({ stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: {} }] }), 'ELND0118'],
      [simulation({ stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: -1 } }] }), 'ELND0119'],
      [simulation({ external_id: '' }), 'ELND0124'],
    ];
    for (const [bad, code] of cases) {
      expect((await exchange({ method: 'POST', path: '/lending/v1/simulations', body: bad }, 400, { request: false })).json().code, JSON.stringify(bad)).toBe(code);
    }
    // Undeclared, tabled in docs/compatibility.md: a taken simulation_id.
    await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ simulation_id: 'TAKEN' }) }, 201);
    expect((await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ simulation_id: 'TAKEN' }) }, 409)).json().code).toBe('LENDING_ALREADY_EXISTS');
  });

  it('simulations in tranches (several disbursement items, a MULTIPLE product): create, book, disburse the first; refusals', async () => {
    // `amount` on a disbursement item is a Lastro extension (docs/compatibility.md): the v1 item has due_date only.
    const body = simulation({
      product_id: 'CONTRACT_TRANCHES',
      loan_amount: 3000,
      disbursement: [
        { due_date: '2022-06-24', amount: 1000 },
        { due_date: '2022-08-09', amount: 2000 },
      ],
    });
    const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body }, 201)).json();
    expect(sim.disbursement_schedule.map((d: { due_date: string; principal: number }) => [d.due_date, d.principal])).toEqual([
      ['2022-06-24', 1000],
      ['2022-08-09', 2000],
    ]);
    await exchange({ method: 'GET', path: `/lending/v1/simulations/${sim.loan_simulation_id}` }, 200);
    const loanId = (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: await borrower() } }, 202)).json().loan_id;
    const loan = (await exchange({ method: 'GET', path: `/lending/v1/loans/${loanId}`, query: { expand: 'true' } }, 200)).json();
    expect(loan.disbursement_schedule).toHaveLength(2);
    const paid = await exchange(
      { method: 'POST', path: `/lending/v1/loans/${loanId}/disburse`, body: { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } } },
      202,
    );
    expect(paid.json()).toMatchObject({ disbursement_status: 'PAID', disbursed_amount: 1000, loan_amount: 3000 });
    // Several items on a SINGLE product; amounts not summing to loan_amount.
    const single = simulation({ disbursement: body.disbursement, loan_amount: 3000 });
    expect((await exchange({ method: 'POST', path: '/lending/v1/simulations', body: single }, 400)).json().code).toBe('ELND0011');
    const short = simulation({ ...body, loan_amount: 3000.01 });
    expect((await exchange({ method: 'POST', path: '/lending/v1/simulations', body: short }, 400)).json()).toMatchObject({ code: 'ELND0003' });
  });

  it('loans: book, get (plain and expanded), list, cancel, and the documented errors', async () => {
    const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation() }, 201)).json();
    const loanId = (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId, external_id: 'my_external_id' } }, 202)).json().loan_id;
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId } }, 409)).json().code).toBe('WLND0001');
    // The file's other 409 WLND0001: the account holds another loan that is not final.
    const other = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation() }, 201)).json();
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: other.loan_simulation_id, account_id: account.accountId } }, 409)).json()).toMatchObject({ code: 'WLND0001', message: 'Account is already in use' });
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: '99999999-9999-9999-9999-999999999999', account_id: account.accountId } }, 400)).json().code).toBe('ELND0005');
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id } }, 400, { request: false })).json().code).toBe('ELND0002');
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId, external_id: '' } }, 400, { request: false })).json().code).toBe('ELND0124');
    await exchange({ method: 'GET', path: `/lending/v1/loans/${loanId}` }, 200);
    await exchange({ method: 'GET', path: `/lending/v1/loans/${loanId}`, query: { expand: 'true' } }, 200);
    expect((await exchange({ method: 'GET', path: '/lending/v1/loans/99999999-9999-9999-9999-999999999999' }, 404)).json().code).toBe('ELND0005');
    await exchange({ method: 'GET', path: '/lending/v1/loans' }, 200, { request: false });
    await exchange({ method: 'DELETE', path: `/lending/v1/loans/${loanId}` }, 202);
    expect((await exchange({ method: 'DELETE', path: '/lending/v1/loans/99999999-9999-9999-9999-999999999999' }, 404)).json().code).toBe('ELND0005');
  });

  it('disbursement and repayment: success, and the documented errors', async () => {
    const loanId = await book();
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { repayment_id: '1f98f3b1-7492-4846-9787-bf2c1713ab53', repayment_date: '2022-07-12', repayment_amount: 200 } }, 400)).json().code).toBe('ELND1004');
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/disburse`, body: { disbursement_date: '2022-06-24', disbursement_account: { type: 'INTERNAL', account_id: account.accountId } } }, 400, { request: false })).json().code).toBe('ELND0002');
    const d = await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/disburse`, body: { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } } }, 202);
    expect(d.json().disbursement_status).toBe('PAID');
    const external = await book();
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${external}/disburse`, body: { disbursement_date: '2022-06-30', disbursed_amount: 1000, disbursement_account: EXTERNAL } }, 202)).json().disbursement_status).toBe('PAID');
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans/99999999-9999-9999-9999-999999999999/disburse', body: { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: EXTERNAL } }, 404)).json().code).toBe('ELND0005');
    const repayment = { repayment_id: '1f98f3b1-7492-4846-9787-bf2c1713ab53', repayment_date: '2022-07-12', repayment_amount: 200, external_id: 'c36e7f4e-db9f-423b-bb42-b6c042c21129' };
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: repayment }, 202);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { ...repayment, repayment_amount: 300 } }, 409)).json().code).toBe('LENDING_ALREADY_EXISTS');
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { repayment_date: '2022-07-12', repayment_amount: 1 } }, 400, { request: false })).json().code).toBe('ELND0002');
    expect((await exchange({ method: 'POST', path: '/lending/v1/loans/99999999-9999-9999-9999-999999999999/repayment', body: repayment }, 404)).json().code).toBe('ELND0005');
    const key = { ...h, 'idempotency-key': '2b3c4d5e-6f70-4a81-92a3-b4c5d6e7f809' };
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { ...repayment, repayment_id: 'a1b2c3d4-0000-4000-8000-000000000002' } }, 202, { headers: key });
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { ...repayment, repayment_id: 'a1b2c3d4-0000-4000-8000-000000000003' } }, 202, { headers: key })).json().code).toBe('WLND0001');
    // Early final settlement: the product has none (ELND0401); then a product with one.
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/early-settlement/simulate`, body: {} }, 400)).json().code).toBe('ELND0401');
    const canceled = await book();
    await exchange({ method: 'DELETE', path: `/lending/v1/loans/${canceled}` }, 202);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${canceled}/repayment`, body: repayment }, 400)).json().code).toBe('ELND1005');
  });

  it('a disbursement under a processing code the org lacks: 422 ELND0363 (tabled in docs/compatibility.md)', async () => {
    // Another org, whose ledger lost the disbursement code (as one set up before it existed).
    const other = await addTenant(app, { sandbox: true });
    const headers = other.headers;
    const otherProgram = await createProgram(app, other, 'DEBITO');
    const product = (await app.http.inject({ method: 'GET', url: '/lending/v1/loan-products/CONTRACT_LOAN', headers: h })).json();
    const { product_version: _v, status: _s, created_at: _c, updated_at: _u, ...body } = product;
    expect((await app.http.inject({ method: 'POST', url: '/lending/v1/loan-products', headers, payload: { ...body, program_id: otherProgram.programId } })).statusCode).toBe(201);
    const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation() }, 201, { headers })).json();
    const borrowerId = (await newBorrower(app, other, otherProgram)).accountId;
    const loanId = (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: borrowerId } }, 202, { headers })).json().loan_id;
    await app.platform.db.transaction(
      async (tx) => {
        await tx.deleteFrom('transaction_flows').where('org_id', '=', other.org.orgId).where('processing_code', '=', 'PSMLDS').execute();
        await tx.deleteFrom('processing_codes').where('org_id', '=', other.org.orgId).where('processing_code', '=', 'PSMLDS').execute();
      },
      { system: true },
    );
    const res = await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/disburse`, body: { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: borrowerId } } }, 422, { headers });
    expect(res.json()).toMatchObject({ code: 'ELND0363', message: 'Processing code PSMLDS is invalid or does not exist.' });
  });

  it('early final settlement: simulate, register, and the documented errors', async () => {
    const product = (await app.http.inject({ method: 'GET', url: '/lending/v1/loan-products/CONTRACT_LOAN', headers: h })).json();
    const { product_id: _id, product_version: _v, status: _s, created_at: _c, updated_at: _u, ...body } = product;
    const created = await app.http.inject({ method: 'POST', url: '/lending/v1/loan-products', headers: h, payload: { ...body, product_id: 'CONTRACT_EFS', early_final_settlement: { penalty: { type: 'FIXED_AMOUNT', value: 10 }, lock_in_period: 1 } } });
    expect(created.statusCode, created.body).toBe(201);
    const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ product_id: 'CONTRACT_EFS' }) }, 201)).json();
    const loanId = (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: await borrower() } }, 202)).json().loan_id;
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/early-settlement/simulate`, body: {} }, 400)).json().code).toBe('ELND0400');
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/disburse`, body: { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } } }, 202);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/early-settlement/simulate`, body: {} }, 400)).json().code).toBe('ELND0402');
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { repayment_id: '3c4d5e6f-7081-4a92-b3c4-d5e6f7081920', repayment_date: '2022-07-24', repayment_amount: 340.02 } }, 202);
    const quote = (await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/early-settlement/simulate`, body: {} }, 201)).json();
    expect(quote.outstanding.penalty).toBe(10);
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/early-settlement/${quote.id}/register` }, 202);
    expect((await exchange({ method: 'GET', path: `/lending/v1/loans/${loanId}` }, 200)).json().status).toBe('SETTLED');
  });
  it('prepayment: simulate, register, and the documented errors', async () => {
    const product = (await app.http.inject({ method: 'GET', url: '/lending/v1/loan-products/CONTRACT_LOAN', headers: h })).json();
    const { product_id: _id, product_version: _v, status: _s, created_at: _c, updated_at: _u, ...body } = product;
    const created = await app.http.inject({ method: 'POST', url: '/lending/v1/loan-products', headers: h, payload: { ...body, product_id: 'CONTRACT_PP', prepayment: { penalty: { type: 'PERCENTAGE', value: 0.01 }, reduce_option: ['INSTALLMENT'] } } });
    expect(created.statusCode, created.body).toBe(201);
    const today = (await app.http.inject({ method: 'GET', url: '/lastro/v1/clock', headers: h })).json().business_date as string;
    const sim = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ product_id: 'CONTRACT_PP', start_date: today, disbursement: [{ due_date: today }] }) }, 201)).json();
    const loanId = (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: sim.loan_simulation_id, account_id: await borrower() } }, 202)).json().loan_id;
    const simulate = (b: Record<string, unknown>, status: number, request = true) => exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/simulate`, body: b }, status, { request });
    expect((await simulate({ amount_paid: 2000, waive_penalty: false }, 400)).json().code).toBe('ELND0007');
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/disburse`, body: { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } } }, 202);
    expect((await simulate({ waive_penalty: false }, 400, false)).json().code).toBe('ELND0504');
    expect((await simulate({ amount_paid: 0, waive_penalty: false }, 400)).json().code).toBe('ELND0505');
    expect((await simulate({ amount_paid: 100 }, 400, false)).json().code).toBe('ELND0506');
    expect((await simulate({ amount_paid: 100, waive_penalty: false, reason: 'x'.repeat(257) }, 400, false)).json().code).toBe('ELND0507');
    expect((await simulate({ amount_paid: 2000, waive_penalty: false }, 400)).json().code).toBe('ELND0508');
    const simKey = { ...h, 'idempotency-key': '6f708192-a3b4-4c5d-8e6f-708192a3b4c5' };
    const keyed = (await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/simulate`, body: { amount_paid: 150, waive_penalty: true } }, 201, { headers: simKey })).json();
    // The same key and body answer the same simulation; another body with it is 202 WLND0001.
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/simulate`, body: { amount_paid: 150, waive_penalty: true } }, 201, { headers: simKey })).json().prepayment_id).toBe(keyed.prepayment_id);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/simulate`, body: { amount_paid: 160, waive_penalty: true } }, 202, { headers: simKey })).json().code).toBe('WLND0001');
    const quote = (await simulate({ amount_paid: 200, waive_penalty: false, reason: 'Prepayment simulation test' }, 201)).json();
    expect(quote.penalty_amount).toBe(2);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/not-a-uuid/register` }, 400, { request: false })).json().code).toBe('ELND0500');
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/c04fd22b-7d9c-4099-aaf4-9ee002b5a6a7/register` }, 404)).json().code).toBe('ELND0005');
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/${quote.prepayment_id}/register` }, 202);
    const key = { ...h, 'idempotency-key': '4d5e6f70-8192-4a3b-8c4d-5e6f70819203' };
    const again = (await simulate({ amount_paid: 100, waive_penalty: true }, 201)).json();
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/${again.prepayment_id}/register` }, 202, { headers: key });
    const other = (await simulate({ amount_paid: 50, waive_penalty: true }, 201)).json();
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/${other.prepayment_id}/register` }, 202, { headers: key })).json().code).toBe('WLND0001');
    // No prepayment on the product (ELND0501); a loan settled is not active (ELND0400).
    const plain = (await exchange({ method: 'POST', path: '/lending/v1/simulations', body: simulation({ start_date: today, disbursement: [{ due_date: today }] }) }, 201)).json();
    const plainId = (await exchange({ method: 'POST', path: '/lending/v1/loans', body: { loan_simulation_id: plain.loan_simulation_id, account_id: await borrower() } }, 202)).json().loan_id;
    await exchange({ method: 'POST', path: `/lending/v1/loans/${plainId}/disburse`, body: { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } } }, 202);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${plainId}/prepayment/simulate`, body: { amount_paid: 100, waive_penalty: false } }, 400)).json().code).toBe('ELND0501');
    const last = (await simulate({ amount_paid: 10, waive_penalty: true }, 201)).json();
    await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/repayment`, body: { repayment_id: '5e6f7081-92a3-4b4c-9d5e-6f7081920314', repayment_date: today, repayment_amount: 2000 } }, 202);
    expect((await exchange({ method: 'POST', path: `/lending/v1/loans/${loanId}/prepayment/${last.prepayment_id}/register` }, 400)).json().code).toBe('ELND0400');
  });
});
