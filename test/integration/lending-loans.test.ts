// The life of a loan over HTTP: simulation (the seed's example to the cent, the worked examples
// of lending-examples.json), booking, cancellation, disbursement, repayment and settlement.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { addTenant, setupTenant, NO_RATE_LIMITS } from '../helpers/fixture.js';
import { bodies, waitFor } from './programs-fixtures.js';
import { createAccount, createProgram, type TestAccount, type TestProgram } from '../helpers/accounts.js';
import type { Tenant } from '../helpers/fixture.js';
import { expectValidEvents } from '../helpers/events.js';
import { bnplProduct, bnplSimulation, newBorrower, personalProduct } from '../helpers/lending.js';

let app: TestApp;
let h: Record<string, string>;
let programId: number;
let tenant: Tenant;
let debitProgram: number;
let debit: TestProgram;
let merchant: TestAccount;
/** A fresh account for the next loan: an account holds one loan until it is final. */
const freshAccount = () => newBorrower(app, tenant, debit);

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = h) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function ok(res: { statusCode: number; body: string; json: () => any }, status = 201) {
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

/** The seed's simulation request, on `productId`. */
const seedSimulation = (productId: string, extra: Record<string, unknown> = {}) => ({
  product_id: productId,
  loan_amount: 1000.0,
  start_date: '2022-06-24',
  stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
  disbursement: [{ due_date: '2022-06-24' }],
  ...extra,
});

beforeAll(async () => {
  let fixture;
  ({ app, ...tenant } = fixture = await setupTenant({ start: true, env: NO_RATE_LIMITS, org: { sandbox: true } }));
  h = fixture.headers;
  programId = (await ok(await call('POST', '/programs/v1/programs/template', bodies.CREDITO), 200)).id;
  await ok(await call('POST', '/lending/v1/loan-products', personalProduct(programId, { product_id: 'SEED_PERSONAL' })));
  debit = await createProgram(app, tenant, 'DEBITO');
  debitProgram = debit.programId;
  merchant = await createAccount(app, tenant, { program: debit });
  await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: 'DEBIT_PERSONAL' })));
});
afterAll(async () => app?.close());

describe('simulations', () => {
  it("reproduces the seed's example to the cent, and GET answers the same", async () => {
    const sim = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL')));
    expect(sim.loan_simulation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim).toMatchObject({
      product_id: 'SEED_PERSONAL',
      loan_amount: 1000,
      outstanding_balance: { principal: 1000, interest: 20.07, total: 1020.07 },
      total_payment_amount: 1020.07,
      start_date: '2022-06-24',
      days_in_year_method: 'ACTUAL_ACTUAL',
      repayment_calculation_method: 'EI_REDUCING_BALANCE',
      repayment_frequency: { unit: 'MONTH' },
      repayment_schedule: [
        { period: 1, payment_amount: 340.02, due_date: '2022-07-24', principal_amount: 330.02, interest_amount: 10.0, fee_amount: 0, balance: 669.98, number_of_days: 30, auto: false },
        { period: 2, payment_amount: 340.02, due_date: '2022-08-24', principal_amount: 333.32, interest_amount: 6.7, fee_amount: 0, balance: 336.66, number_of_days: 31, auto: false },
        { period: 3, payment_amount: 340.03, due_date: '2022-09-24', principal_amount: 336.66, interest_amount: 3.37, fee_amount: 0, balance: 0, number_of_days: 31, auto: false },
      ],
      disbursement_schedule: [{ date: '2022-06-24', amount: 1000, principal: 1000, tax: 0, fee: 0, charge: 0 }],
      stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
    });
    // Both names where the seed and the v1 file differ.
    expect(sim.repayment_schedule.map((i: any) => i.amount)).toEqual([340.02, 340.02, 340.03]);
    expect(sim.repayment_frequency.method).toBe('MONTHLY');
    expect(sim.disbursement_schedule[0].due_date).toBe('2022-06-24');
    // 2022-07-24 is a Sunday: the real due date is Monday 25th; 2022-09-24 a Saturday → 26th.
    expect(sim.repayment_schedule.map((i: any) => i.real_due_date)).toEqual(['2022-07-25', '2022-08-24', '2022-09-26']);
    const got = await ok(await call('GET', `/lending/v1/simulations/${sim.loan_simulation_id}`), 200);
    expect(got).toEqual(sim);
  });

  // Every worked example of lending-examples.json that is a loan schedule, through the HTTP API.
  const examples = JSON.parse(readFileSync(new URL('../../../shared/reference/lending-examples.json', import.meta.url), 'utf8')) as any[];
  const METHODS: Record<string, string[]> = { EMI: ['EI_REDUCING_BALANCE'], 'EMI (EI_REDUCING_BALANCE)': ['EI_REDUCING_BALANCE'], flat: ['FLAT_BASIS'], 'EMI or flat (both asserted)': ['EI_REDUCING_BALANCE', 'FLAT_BASIS'] };
  const cases = examples
    .filter((e) => Array.isArray(e.expected?.installments) && e.expected.installments.length > 0)
    .flatMap((e) => (METHODS[e.inputs.method] ?? []).map((method) => ({ e, method })));

  it('maps every schedule example of lending-examples.json', () => {
    expect(cases.map((c) => c.e.id)).toEqual([
      'fineract-e2e-RS02-declining-same-as-repayment',
      'fineract-it-flat-1250-12pct-multiples-of-20',
      'fineract-it-zero-interest-1250x4-multiples-of-1',
      'fineract-it-zero-interest-1250x4-multiples-of-1',
      'commercial-platform-worked-example-1000-12pct-3m',
    ]);
  });

  it.each(cases.map((c, i) => [`${c.e.id} (${c.method})`, c, i] as const))('golden: %s', async (_name, { e, method }, i) => {
    const inputs = e.inputs;
    const multiple = inputs.installment_amount_in_multiples_of;
    const productId = `GOLDEN_${i}`;
    await ok(
      await call(
        'POST',
        '/lending/v1/loan-products',
        personalProduct(programId, {
          product_id: productId,
          repayment_calculation_method: method,
          stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }],
          ...(multiple !== undefined ? { installment_amount_in_multiples_of: multiple } : {}),
        }),
      ),
    );
    const sim = await ok(
      await call('POST', '/lending/v1/simulations', {
        product_id: productId,
        loan_amount: inputs.principal,
        start_date: inputs.start_date,
        stages: [{ interest_rate: { value: inputs.annual_rate, unit: 'YEAR' }, period: { value: inputs.n_periods, unit: 'MONTH' } }],
        disbursement: [{ due_date: inputs.start_date }],
      }),
    );
    expect(sim.repayment_schedule).toHaveLength(e.expected.installments.length);
    e.expected.installments.forEach((want: any, k: number) => {
      const got = sim.repayment_schedule[k];
      expect(got.period).toBe(want.period);
      expect(got.due_date).toBe(want.due_date);
      expect(got.principal_amount).toBe(want.principal);
      if (want.interest != null) expect(got.interest_amount).toBe(want.interest);
      if (want.total != null) expect(got.payment_amount).toBe(want.total);
      if (want.balance != null) expect(got.balance).toBe(want.balance);
      if (want.days != null) expect(got.number_of_days).toBe(want.days);
    });
    if (e.expected.total_interest !== undefined) expect(sim.outstanding_balance.interest).toBe(e.expected.total_interest);
  });

  it('a stage of whole days, the due dates moving to business days, and auto collection', async () => {
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(programId, { product_id: 'EVERY_15_DAYS', repayment_frequency: { method: 'DAILY', every: 15 }, stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }] })));
    const sim = await ok(
      await call('POST', '/lending/v1/simulations', {
        product_id: 'EVERY_15_DAYS',
        loan_amount: 900.0,
        start_date: '2026-12-01',
        stages: [{ interest_rate: { value: 0.01, unit: 'MONTH' }, period: { value: 45, unit: 'DAY' } }],
        disbursement: [{ due_date: '2026-12-01' }],
        auto_collection: true,
        simulation_id: 'MY_SIM_1',
        external_id: 'ext-1',
      }),
    );
    expect(sim.loan_simulation_id).toBe('MY_SIM_1');
    expect(sim.external_id).toBe('ext-1');
    expect(sim.repayment_schedule.map((i: any) => i.due_date)).toEqual(['2026-12-16', '2026-12-31', '2027-01-15']);
    expect(sim.repayment_schedule.every((i: any) => i.auto === true)).toBe(true);
    expect(sim.repayment_frequency).toEqual({ unit: 'DAY', method: 'DAILY', every: 15 });
    // A stage in installments comes back as a duration.
    const counted = await ok(
      await call('POST', '/lending/v1/simulations', { product_id: 'EVERY_15_DAYS', loan_amount: 900, start_date: '2026-12-01', stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3 } }], disbursement: [{ due_date: '2026-12-01' }] }),
    );
    expect(counted.stages[0].period).toEqual({ value: 45, unit: 'DAY' });
    // The same simulation_id again is refused.
    const again = await call('POST', '/lending/v1/simulations', { ...seedSimulation('SEED_PERSONAL'), simulation_id: 'MY_SIM_1' });
    expectError(again, 409, 'LENDING_ALREADY_EXISTS', 'body.simulation_id');
  });

  it('refuses as Pismo: more than 500 installments, missing and invalid fields, unknown product, product rules', async () => {
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 501, unit: 'MONTH' } }] })), 400, 'ELND0006');
    const { product_id: _p, ...noProduct } = seedSimulation('SEED_PERSONAL');
    expectError(await call('POST', '/lending/v1/simulations', noProduct), 400, 'ELND0101', 'body.product_id');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { loan_amount: 0 })), 400, 'ELND0105', 'body.loan_amount');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { loan_amount: 10.001 })), 400, 'ELND0105', 'body.loan_amount');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { stages: [] })), 400, 'ELND0107', 'body.stages');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { disbursement: [] })), 400, 'ELND0109', 'body.disbursement');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { stages: [{ interest_rate: { value: -0.1, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }] })), 400, 'ELND0116', 'body.stages[0].interest_rate.value');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { simulation_id: 'lower' })), 400, 'ELND0110', 'body.simulation_id');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('NO_SUCH_PRODUCT')), 400, 'ELND0005', 'body.product_id');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { disbursement: [{ due_date: '2022-06-24' }, { due_date: '2022-07-24' }] })), 400, 'ELND0011', 'body.disbursement');
    await ok(
      await call('POST', '/lending/v1/loan-products', personalProduct(programId, {
        product_id: 'RULED',
        rules: { loan_amount: { min: 500, max: 5000 }, installment_number: { min: 2, max: 12 }, interest_rate: { min: { value: 0.05, unit: 'YEAR' }, max: { value: 0.4, unit: 'YEAR' } } },
      })),
    );
    expect((await call('POST', '/lending/v1/simulations', seedSimulation('RULED'))).statusCode).toBe(201);
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('RULED', { loan_amount: 5000.01 })), 400, 'ELND0003', 'body.loan_amount');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('RULED', { stages: [{ interest_rate: { value: 0.05, unit: 'MONTH' }, period: { value: 3, unit: 'MONTH' } }] })), 400, 'ELND0003', 'body.stages[0].interest_rate');
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('RULED', { stages: [{ interest_rate: { value: 0.1, unit: 'YEAR' }, period: { value: 13, unit: 'MONTH' } }] })), 400, 'ELND0003', 'body.stages');
    expectError(await call('GET', '/lending/v1/simulations/NOPE'), 404, 'ELND0005');
  });

  it('a production org simulates from today on; another org sees none of these simulations', async () => {
    const prod = await addTenant(app);
    const ph = prod.headers;
    const pid = (await ok(await call('POST', '/programs/v1/programs/template', bodies.CREDITO, ph), 200)).id;
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(pid, { product_id: 'SEED_PERSONAL' }), ph));
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL'), ph), 400, 'ELND0103', 'body.start_date');
    const today = (await ok(await call('GET', '/lastro/v1/clock', undefined, ph), 200)).business_date as string;
    expectError(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { start_date: today, disbursement: [{ due_date: '2022-06-24' }] }), ph), 400, 'ELND0112', 'body.disbursement[0].due_date');
    const sim = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('SEED_PERSONAL', { start_date: today, disbursement: [{ due_date: today }] }), ph));
    expect(sim.repayment_schedule).toHaveLength(3);
    expectError(await call('GET', `/lending/v1/simulations/${sim.loan_simulation_id}`), 404, 'ELND0005');
    expectError(await call('GET', '/lending/v1/simulations/MY_SIM_1', undefined, ph), 404, 'ELND0005');
  });
});

/** The events the org emitted of one type, oldest first. */
async function eventsOf(type: string): Promise<any[]> {
  const rows = await app.platform.db.kysely.selectFrom('event_outbox_events').selectAll().where('event_type', '=', type).orderBy('seq').execute();
  return rows.map((r: any) => r.data);
}

/**
 * The loan's events in order (status changes as `status:X`, disbursement ones as
 * `disbursement:X`), after checking every event of the org with Ajv against its catalog schema.
 */
async function loanEvents(loanId: string): Promise<string[]> {
  return (await expectValidEvents(app, h))
    .filter((e) => e.data.loan_id === loanId)
    .map((e) =>
      e.event_type === 'loan-status-change' ? `status:${String(e.data.current_loan_status)}` : e.event_type === 'loan-disbursement-status-change' ? `disbursement:${String(e.data.current_disbursement_status)}` : e.event_type,
    );
}

const balanceOf = async (accountId: number) => (await ok(await call('GET', `/accounts/v1/accounts/${accountId}`), 200)).current_balance as number;

/** The seed's simulation booked on a fresh account. */
async function bookSeedLoan(extra: Record<string, unknown> = {}) {
  const account = await freshAccount();
  const sim = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('DEBIT_PERSONAL')));
  const booked = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId, external_id: 'LOAN_TRACKER_1', ...extra }), 202);
  return { sim, loanId: booked.loan_id as string, account };
}

describe('loans', () => {
  it('books a simulation once, shows the loan BOOKED with its schedules, and lists it', async () => {
    const { sim, loanId, account } = await bookSeedLoan();
    expect(loanId).toMatch(/^[0-9a-f-]{36}$/);
    expectError(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 409, 'WLND0001');
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan).toMatchObject({
      loan_id: loanId,
      external_id: 'LOAN_TRACKER_1',
      status: 'BOOKED',
      product_id: 'DEBIT_PERSONAL',
      account_id: account.accountId,
      loan_amount: 1000,
      outstanding_balance: { principal: 1000, interest: 20.07, total: 1020.07 },
      total_payment_amount: 1020.07,
      start_date: '2022-06-24',
      disbursement_schedule: [{ status: 'SCHEDULED', date: '2022-06-24', amount: 1000, principal: 1000 }],
    });
    expect(loan.repayment_schedule.map((i: any) => [i.period, i.status, i.payment_amount])).toEqual([
      [1, 'SCHEDULED', 340.02],
      [2, 'SCHEDULED', 340.02],
      [3, 'SCHEDULED', 340.03],
    ]);
    const plain = await ok(await call('GET', `/lending/v1/loans/${loanId}`), 200);
    expect(plain).not.toHaveProperty('repayment_schedule');
    const list = await ok(await call('GET', `/lending/v1/loans?account_id=${account.accountId}&status=BOOKED`), 200);
    expect(list.items.map((l: any) => l.loan_id)).toContain(loanId);
    const booked = (await eventsOf('loan-booking')).find((e) => e.loan_id === loanId);
    expect(booked).toMatchObject({ current_loan_status: 'BOOKED', account_id: account.accountId, loan_amount: 1000 });
    expectError(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'r-0', repayment_date: '2022-07-01', repayment_amount: 10 }), 400, 'ELND1004');
  });

  it('an account holds one loan until it is final: another booking on it is 409 WLND0001 "Account is already in use"', async () => {
    const { loanId, account } = await bookSeedLoan();
    const next = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('DEBIT_PERSONAL')));
    const book = () => call('POST', '/lending/v1/loans', { loan_simulation_id: next.loan_simulation_id, account_id: account.accountId });
    // Pismo's body for it is { code, message } (the 409 of the file): no details.
    expect(expectError(await book(), 409, 'WLND0001').message).toBe('Account is already in use');
    // Nothing of the refused booking is left: the simulation can still be booked.
    expect((await ok(await call('GET', `/lending/v1/loans?account_id=${account.accountId}`), 200)).items.map((l: any) => l.loan_id)).toEqual([loanId]);
    // Once the loan is CANCELED the account is free again; the new loan holds it in turn.
    await ok(await call('DELETE', `/lending/v1/loans/${loanId}`), 202);
    const { loan_id: second } = await ok(await book(), 202);
    const third = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('DEBIT_PERSONAL')));
    expectError(await call('POST', '/lending/v1/loans', { loan_simulation_id: third.loan_simulation_id, account_id: account.accountId }), 409, 'WLND0001');
    // A SETTLED loan frees it too.
    await ok(await call('POST', `/lending/v1/loans/${second}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'EXTERNAL', bank_id: '1' } }), 202);
    await ok(await call('POST', `/lending/v1/loans/${second}/repayment`, { repayment_id: 'all', repayment_date: '2022-06-24', repayment_amount: 1020.07 }), 202);
    expect((await ok(await call('GET', `/lending/v1/loans/${second}`), 200)).status).toBe('SETTLED');
    await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: third.loan_simulation_id, account_id: account.accountId }), 202);
  });

  it('cancels a loan before disbursement; a canceled loan takes no repayment or disbursement', async () => {
    const { loanId, account } = await bookSeedLoan();
    expect(await ok(await call('DELETE', `/lending/v1/loans/${loanId}`), 202)).toEqual({ loan_id: loanId });
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('CANCELED');
    expect(loan.disbursement_schedule[0].status).toBe('CANCELED');
    expect(loan.outstanding_balance.total).toBe(0);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'r-1', repayment_date: '2022-07-01', repayment_amount: 10 }), 400, 'ELND1005');
    expectError(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 400, 'ELND0003', 'path.loanId');
    expect((await eventsOf('loan-status-change')).some((e) => e.loan_id === loanId && e.previous_loan_status === 'BOOKED' && e.current_loan_status === 'CANCELED')).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:CANCELED', 'status:CANCELED']);
  });

  it('disburses into the account (ACTIVE), repays partly then fully (SETTLED with the seed payload); the ledger verifies', async () => {
    const { loanId, account } = await bookSeedLoan();
    const before = await balanceOf(account.accountId);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 999, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 400, 'ELND0003', 'body.disbursed_amount');
    const d = await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000.0, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    expect(d).toMatchObject({ loan_id: loanId, product_id: 'DEBIT_PERSONAL', disbursement_status: 'PAID', loan_amount: 1000, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } });
    expect(await balanceOf(account.accountId)).toBe(before + 1000);
    expect((await ok(await call('GET', `/lending/v1/loans/${loanId}`), 200)).status).toBe('ACTIVE');
    const statuses = (await eventsOf('loan-disbursement-status-change')).filter((e) => e.loan_id === loanId).map((e) => e.current_disbursement_status);
    expect(statuses).toEqual(['PROCESSING', 'PAID']);

    // 200 pays installment 1's interest first, then principal.
    const r1 = await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: '1f98f3b1-7492-4846-9787-bf2c1713ab53', repayment_date: '2022-07-12', repayment_amount: 200.0, external_id: 'c36e7f4e' }), 202);
    expect(r1).toEqual({ loan_id: loanId, repayment_id: '1f98f3b1-7492-4846-9787-bf2c1713ab53', repayment_amount: 200, external_id: 'c36e7f4e' });
    // The same repayment again posts nothing twice.
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: '1f98f3b1-7492-4846-9787-bf2c1713ab53', repayment_date: '2022-07-12', repayment_amount: 200.0, external_id: 'c36e7f4e' }), 202);
    let loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.outstanding_balance).toMatchObject({ principal: 810, interest: 10.07, total: 820.07 });
    expect(loan.repayment_schedule[0]).toMatchObject({ status: 'PARTIALLY_PAID', amount: { amount_paid: { interest: 10, principal: 190, total: 200 }, amount_due: { principal: 140.02, total: 140.02 } } });

    // 830.07 pays everything and 10.00 comes back to the account.
    const beforeLast = await balanceOf(account.accountId);
    const r2 = await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'last', repayment_date: '2022-09-24', repayment_amount: 830.07 }), 202);
    expect(r2.overpayment_amount).toBe(10);
    expect(await balanceOf(account.accountId)).toBe(beforeLast + 10);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('SETTLED');
    expect(loan.outstanding_balance.total).toBe(0);
    expect(loan.repayment_schedule.every((i: any) => i.status === 'PAID')).toBe(true);
    const settled = (await eventsOf('loan-status-change')).find((e) => e.loan_id === loanId && e.current_loan_status === 'SETTLED');
    expect(settled).toMatchObject({
      loan_id: loanId,
      external_id: 'LOAN_TRACKER_1',
      previous_loan_status: 'ACTIVE',
      current_loan_status: 'SETTLED',
      product_id: 'DEBIT_PERSONAL',
      account_id: account.accountId,
      loan_amount: 1000,
      outstanding_balance: { principal: 1000, interest: 20.07, total: 1020.07 },
      total_payment_amount: 1020.07,
      start_date: '2022-06-24',
    });
    expect(Object.keys(settled).every((k) => k === k.trim())).toBe(true);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'after', repayment_date: '2022-09-25', repayment_amount: 1 }), 400, 'ELND0400');
    const verify = await ok(await call('GET', '/lastro/v1/ledger/verify'), 200);
    expect(verify).toMatchObject({ ok: true, differences: [] });
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE', 'status:SETTLED']);
  });

  it('disburses to a merchant account or outside; a later date waits for its business day', async () => {
    const { loanId } = await bookSeedLoan();
    const before = await balanceOf(merchant.accountId);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24T00:00:00.000Z', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: merchant.accountId } }), 202);
    expect(await balanceOf(merchant.accountId)).toBe(before + 1000);
    const { loanId: external } = await bookSeedLoan();
    const e = await ok(await call('POST', `/lending/v1/loans/${external}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'EXTERNAL', bank_id: '785', account_number: '8494156', branch_number: '89198' } }), 202);
    expect(e.disbursement_status).toBe('PAID');
    const { loanId: later, account } = await bookSeedLoan();
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const tomorrow = new Date(Date.parse(today) + 3 * 86_400_000).toISOString().slice(0, 10);
    const s = await ok(await call('POST', `/lending/v1/loans/${later}/disburse`, { disbursement_date: tomorrow, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    expect(s.disbursement_status).toBe('SCHEDULED');
    expect((await ok(await call('GET', `/lending/v1/loans/${later}`), 200)).status).toBe('BOOKED');
    await ok(await call('POST', '/lastro/v1/clock/advance', { days: 4 }), 200);
    const loan = await ok(await call('GET', `/lending/v1/loans/${later}?expand=true`), 200);
    expect(loan.status).toBe('ACTIVE');
    expect(loan.disbursement_schedule[0].status).toBe('PAID');
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
  });

  it("a loan's money never moves under a processing code the org's ledger lacks: 422 ELND0362 / ELND0363, nothing posted", async () => {
    // An org whose ledger lost the disbursement code's flows, then the code itself (as an org set
    // up before the code existed would be): a fresh org, so no rule of it is cached yet.
    const other = await addTenant(app, { sandbox: true });
    const oh = other.headers;
    const program = await createProgram(app, other, 'DEBITO');
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(program.programId, { product_id: 'CODES_PERSONAL' }), oh));
    const borrower = await newBorrower(app, other, program);
    const sim = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('CODES_PERSONAL'), oh));
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: borrower.accountId }, oh), 202);
    const orgId = other.org.orgId;
    const system = <T>(fn: (tx: any) => Promise<T>) => app.platform.db.transaction(fn, { system: true });
    await system((tx) => tx.deleteFrom('transaction_flows').where('org_id', '=', orgId).where('processing_code', '=', 'PSMLDS').execute());
    const disburse = () => call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: borrower.accountId } }, oh);
    expect(expectError(await disburse(), 422, 'ELND0362').message).toBe('Processing code PSMLDS is not linked to transactions types.');
    await system((tx) => tx.deleteFrom('processing_codes').where('org_id', '=', orgId).where('processing_code', '=', 'PSMLDS').execute());
    expect(expectError(await disburse(), 422, 'ELND0363').message).toBe('Processing code PSMLDS is invalid or does not exist.');
    // Nothing of either attempt is left: the loan BOOKED, its disbursement SCHEDULED with no
    // account, no journal entry, the account's balance untouched.
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`, undefined, oh), 200);
    expect(loan.status).toBe('BOOKED');
    expect(loan.disbursement_schedule[0]).toMatchObject({ status: 'SCHEDULED' });
    expect(loan.disbursement_schedule[0]).not.toHaveProperty('disbursement_account');
    expect(await system((tx) => tx.selectFrom('ledger_journal_entries').select('entry_id').where('org_id', '=', orgId).execute())).toEqual([]);
    expect((await ok(await call('GET', `/accounts/v1/accounts/${borrower.accountId}`, undefined, oh), 200)).current_balance).toBe(0);
  });

  it("the product's processing codes are the ones posted: disbursement.internal and repayment", async () => {
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: 'OWN_CODES', processing_codes: { disbursement: { internal: ['004000'] }, repayment: ['002000'] } })));
    const account = await freshAccount();
    const sim = await ok(await call('POST', '/lending/v1/simulations', seedSimulation('OWN_CODES')));
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'own-1', repayment_date: '2022-07-24', repayment_amount: 340.02 }), 202);
    const codesOf = (table: 'lending_disbursements' | 'lending_repayments') =>
      app.platform.db.transaction(
        async (tx: any) => {
          const rows = await tx.selectFrom(table).select('entry_id').where('loan_id', '=', loanId).execute();
          const postings = await tx.selectFrom('ledger_postings').select('processing_code').where('entry_id', 'in', rows.map((r: any) => r.entry_id)).execute();
          return [...new Set(postings.map((p: any) => p.processing_code))].sort();
        },
        { system: true },
      );
    expect(await codesOf('lending_disbursements')).toEqual(['004000']);
    // The principal and the cash under the product's code; interest stays on PSMLIN.
    expect(await codesOf('lending_repayments')).toEqual(['002000', 'PSMLIN']);
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
  });

  it('another org sees none of these loans', async () => {
    const other = await addTenant(app);
    const { loanId } = await bookSeedLoan();
    expectError(await call('GET', `/lending/v1/loans/${loanId}`, undefined, other.headers), 404, 'ELND0005');
    expectError(await call('DELETE', `/lending/v1/loans/${loanId}`, undefined, other.headers), 404, 'ELND0005');
    expect((await ok(await call('GET', '/lending/v1/loans', undefined, other.headers), 200)).items).toEqual([]);
  });
});

/** Advances the sandbox clock and waits until every passed day is closed. */
async function advance(days: number) {
  const res = await call('POST', '/lastro/v1/clock/advance', { days });
  expect([200, 202], res.body).toContain(res.statusCode);
  if (res.statusCode === 200) return;
  await waitFor(async () => ((await ok(await call('GET', `/lastro/v1/clock/advances/${res.json().id}`), 200)).status === 'DONE' ? true : undefined), 120_000);
}

describe('lifecycle with the sandbox clock', () => {
  it('simulate → book → disburse → 12 installments collected on their due dates → SETTLED; the ledger verifies at every step', async () => {
    const verify = async () => expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const borrower = await freshAccount();
    const sim = await ok(
      await call('POST', '/lending/v1/simulations', {
        product_id: 'DEBIT_PERSONAL',
        loan_amount: 1200,
        start_date: today,
        stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 12, unit: 'MONTH' } }],
        disbursement: [{ due_date: today }],
        auto_collection: true,
      }),
    );
    expect(sim.repayment_schedule).toHaveLength(12);
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: borrower.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: today, disbursed_amount: 1200, disbursement_account: { type: 'INTERNAL', account_id: borrower.accountId } }), 202);
    await verify();
    // The interest is the borrower's to bring: a cash-in covers it.
    const cashIn = { from: [{ custom_info: { type: 'DEPOSIT' } }], to: [{ processing_code: '004000', amount: sim.outstanding_balance.interest, account: { id: borrower.accountId } }] };
    expect((await call('POST', '/payments/v1/payments', cashIn, { ...h, 'x-account-id': String(borrower.accountId) })).statusCode).toBeLessThan(300);
    const start = await balanceOf(borrower.accountId);
    expect(start).toBe(1200 + sim.outstanding_balance.interest);

    for (let k = 0; k < 12; k++) {
      const due = sim.repayment_schedule[k].real_due_date as string;
      const now = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
      const days = Math.round((Date.parse(due) - Date.parse(now)) / 86_400_000) + 1;
      await advance(days);
      const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
      expect(loan.repayment_schedule[k].status, `installment ${k + 1}`).toBe('PAID');
      if (k < 11) {
        expect(loan.status).toBe('ACTIVE');
        expect(loan.repayment_schedule[k + 1].status).toBe('SCHEDULED');
      }
      await verify();
    }
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('SETTLED');
    expect(loan.outstanding_balance.total).toBe(0);
    expect(await balanceOf(borrower.accountId)).toBe(0);
    expect((await eventsOf('loan-status-change')).filter((e) => e.loan_id === loanId).map((e) => e.current_loan_status)).toEqual(['ACTIVE', 'SETTLED']);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE', 'status:SETTLED']);
  });

  it('a collection the account cannot pay leaves the installment due: PAST_DUE after the grace days', async () => {
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: 'GRACE_3', grace_period_days: 3 })));
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const poor = await freshAccount();
    const sim = await ok(await call('POST', '/lending/v1/simulations', { ...seedSimulation('GRACE_3'), start_date: today, disbursement: [{ due_date: today }], auto_collection: true }));
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: poor.accountId }), 202);
    // Disbursed outside: the account has nothing to pay with.
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'EXTERNAL', bank_id: '1' } }), 202);
    const due = sim.repayment_schedule[0].real_due_date as string;
    const days = Math.round((Date.parse(due) - Date.parse(today)) / 86_400_000) + 2;
    await advance(days);
    let loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule[0].status).toBe('IN_GRACE_PERIOD');
    await advance(5);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule[0].status).toBe('PAST_DUE');
    expect(loan.outstanding_balance.total).toBe(1020.07);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });

  it("penalty plans charge a late installment after their grace days (a late fee once, interest per day); the hierarchy collects them first", async () => {
    await ok(await call('POST', '/lending/v1/penalty-plans', { code: 'LATE_FEE_5', name: 'Late fee', apply_when: ['PAST_DUE'], currency: 986, grace_days: 2, fixed_amount: 5 }));
    await ok(
      await call('POST', '/lending/v1/penalty-plans', {
        code: 'LATE_DAILY',
        name: 'Late interest',
        apply_when: ['PAST_DUE'],
        currency: 986,
        grace_days: 2,
        percentage: { value: 0.1, apply_concerning: ['PRINCIPAL'], accrual_frequency: 'DAILY' },
      }),
    );
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: 'LATE_PENALTIES', penalty_plan_codes: ['LATE_FEE_5', 'LATE_DAILY'] })));
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const sim = await ok(await call('POST', '/lending/v1/simulations', { ...seedSimulation('LATE_PENALTIES'), start_date: today, disbursement: [{ due_date: today }] }));
    const account = await freshAccount();
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    const first = sim.repayment_schedule[0];
    await advance(Math.round((Date.parse(first.real_due_date) - Date.parse(today)) / 86_400_000) + 2);
    let loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule[0].status).toBe('PAST_DUE');
    expect(loan.outstanding_balance.penalty).toBe(0); // within the plans' 2 grace days
    await advance(5);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    const accruals = await app.platform.db.kysely.selectFrom('lending_penalty_accruals').selectAll().where('loan_id', '=', loanId).orderBy('plan_code').orderBy('period').execute();
    const daily = accruals.filter((a: any) => a.plan_code === 'LATE_DAILY');
    expect(accruals.filter((a: any) => a.plan_code === 'LATE_FEE_5').map((a: any) => [a.period, String(a.amount_minor)])).toEqual([[0, '500']]);
    expect(daily.length).toBeGreaterThanOrEqual(1);
    // One accrual per late day past the grace: 0.1 % of the open principal each.
    const perDay = Math.round(first.principal_amount * 100 * 0.001);
    expect(daily.map((a: any) => [a.period, Number(a.amount_minor)])).toEqual(daily.map((_: any, k: number) => [k + 1, perDay]));
    const penalty = (500 + perDay * daily.length) / 100;
    expect(loan.repayment_schedule[0].amount.amount_due.penalty).toBe(penalty);
    expect(loan.repayment_schedule.slice(1).every((i: any) => i.amount.amount_due.penalty === 0)).toBe(true);
    expect(loan.outstanding_balance.penalty).toBe(penalty);
    // A repayment of the installment and its penalties: the default hierarchy takes penalties first.
    const amount = Math.round((first.payment_amount + penalty) * 100) / 100;
    const now = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'late-1', repayment_date: now, repayment_amount: amount }), 202);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule[0].status).toBe('PAID');
    expect(loan.repayment_schedule[0].amount.amount_paid.penalty).toBe(penalty);
    expect(loan.outstanding_balance.penalty).toBe(0);
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });
});

describe('early final settlement', () => {
  it('quotes interest to the day plus the penalty, settles the loan with it and waives the rest; the ledger verifies', async () => {
    await ok(
      await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: 'EFS_2PCT', early_final_settlement: { penalty: { type: 'PERCENTAGE', value: 0.02 }, lock_in_period: 1 } })),
    );
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const sim = await ok(await call('POST', '/lending/v1/simulations', { ...seedSimulation('EFS_2PCT'), start_date: today, disbursement: [{ due_date: today }] }));
    const account = await freshAccount();
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    // The lock-in: one installment must be paid first.
    expectError(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/simulate`, {}), 400, 'ELND0402');
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'first', repayment_date: today, repayment_amount: 340.02 }), 202);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/simulate`, { reference_date: '2022-01-01' }), 400, 'ELND0405', 'body.reference_date');
    // On the first due date: installment 2's interest is still to come (0 days of it run), the penalty is 2 % of 669.98.
    const due1 = sim.repayment_schedule[0].due_date as string;
    const quote = await ok(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/simulate`, { reference_date: due1 }));
    expect(quote.outstanding).toEqual({ principal: 669.98, interest: 0, charge: 0, tax: 0, fee: 0, installments: 2, penalty: 13.4 });
    expect(quote.total_to_settle).toBe(683.38);
    const waived = await ok(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/simulate`, { reference_date: due1, waive_penalty: true }));
    expect(waived.total_to_settle).toBe(669.98);
    const today2 = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const now = await ok(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/simulate`));
    expect(now.reference_date).toBe(today2);
    const reg = await ok(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/${now.id}/register`), 202);
    expect(reg).toMatchObject({ early_settle_id: now.id, loan_id: loanId, total_settled: now.total_to_settle });
    // Registering again answers the same and posts nothing more.
    expect(await ok(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/${now.id}/register`), 202)).toEqual(reg);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('SETTLED');
    expect(loan.outstanding_balance.total).toBe(0);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/${quote.id}/register`), 400, 'ELND0400');
    expectError(await call('POST', `/lending/v1/loans/${loanId}/early-settlement/nope/register`), 404, 'ELND0005');
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE', 'status:SETTLED']);
  });
});

describe('BNPL', () => {
  it('a down payment is installment 0, due on the disbursement date; the merchant is paid the whole purchase', async () => {
    await ok(await call('POST', '/lending/v1/loan-products', bnplProduct(debitProgram, 'BNPL_4X')));
    const sim = await ok(await call('POST', '/lending/v1/simulations', bnplSimulation('BNPL_4X')));
    expect(sim.down_payment).toEqual({ amount: 100, due_date: '2022-06-24' });
    expect(sim.repayment_schedule.map((i: any) => [i.due_date, i.payment_amount, i.interest_amount])).toEqual([
      ['2022-07-08', 100, 0],
      ['2022-07-22', 100, 0],
      ['2022-08-05', 100, 0],
    ]);
    expect(sim.total_payment_amount).toBe(400);
    const account = await freshAccount();
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    const before = await balanceOf(merchant.accountId);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 400, disbursement_account: { type: 'INTERNAL', account_id: merchant.accountId } }), 202);
    expect(await balanceOf(merchant.accountId)).toBe(before + 400);
    let loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule.map((i: any) => [i.period, i.due_date, i.payment_amount])).toEqual([
      [0, '2022-06-24', 100],
      [1, '2022-07-08', 100],
      [2, '2022-07-22', 100],
      [3, '2022-08-05', 100],
    ]);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'down', repayment_date: '2022-06-24', repayment_amount: 100 }), 202);
    loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule.map((i: any) => i.status)).toEqual(['PAID', 'SCHEDULED', 'SCHEDULED', 'SCHEDULED']);
    expect(loan.outstanding_balance).toMatchObject({ principal: 300, interest: 0, total: 300 });
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });
});

describe('BNPL return', () => {
  it('canceling a disbursed BNPL loan returns the purchase: the merchant pays it back, the customer gets what was paid; the ledger verifies', async () => {
    await ok(await call('POST', '/lending/v1/loan-products', bnplProduct(debitProgram, 'BNPL_RETURN')));
    const sim = await ok(await call('POST', '/lending/v1/simulations', bnplSimulation('BNPL_RETURN')));
    const account = await freshAccount();
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 400, disbursement_account: { type: 'INTERNAL', account_id: merchant.accountId } }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'down-ret', repayment_date: '2022-06-24', repayment_amount: 100 }), 202);
    const merchantBefore = await balanceOf(merchant.accountId);
    const customerBefore = await balanceOf(account.accountId);
    await ok(await call('DELETE', `/lending/v1/loans/${loanId}`), 202);
    expect(await balanceOf(merchant.accountId)).toBe(merchantBefore - 400);
    expect(await balanceOf(account.accountId)).toBe(customerBefore + 100);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.status).toBe('CANCELED');
    expect(loan.repayment_schedule.map((i: any) => i.status)).toEqual(['CANCELED', 'CANCELED', 'CANCELED', 'CANCELED']);
    expect(loan.outstanding_balance.total).toBe(0);
    const statuses = (await eventsOf('loan-status-change')).filter((e) => e.loan_id === loanId).map((e) => e.current_loan_status);
    expect(statuses.at(-1)).toBe('CANCELED');
    // Returned once: again it answers the same and moves nothing.
    await ok(await call('DELETE', `/lending/v1/loans/${loanId}`), 202);
    expect(await balanceOf(merchant.accountId)).toBe(merchantBefore - 400);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'after', repayment_date: '2022-06-25', repayment_amount: 1 }), 400, 'ELND1005');
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE', 'status:CANCELED']);
  });

  it('a disbursed loan that is not BNPL still cannot be canceled', async () => {
    const { loanId, account } = await bookSeedLoan();
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: '2022-06-24', disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    expectError(await call('DELETE', `/lending/v1/loans/${loanId}`), 400, 'ELND0003', 'path.loanId');
  });
});

describe('prepayment', () => {
  /** A loan of 1000 over 3 months at 12 %, disbursed today, on a product with `prepayment`. */
  async function prepaidLoan(productId: string, prepayment: Record<string, unknown> | undefined) {
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: productId, ...(prepayment ? { prepayment } : {}) })));
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const sim = await ok(await call('POST', '/lending/v1/simulations', { ...seedSimulation(productId), start_date: today, disbursement: [{ due_date: today }] }));
    const account = await freshAccount();
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    return { sim, loanId: loanId as string, today };
  }
  const principals = (schedule: any[]) => Math.round(schedule.reduce((s, i) => s + i.principal_amount * 100, 0));

  it('INSTALLMENT keeps the maturity and lowers the installments; registered once with the penalty; the ledger verifies', async () => {
    const { sim, loanId, today } = await prepaidLoan('PP_INSTALLMENT', { penalty: { type: 'PERCENTAGE', value: 0.01 }, reduce_option: ['INSTALLMENT', 'TERM'] });
    const sp = `/lending/v1/loans/${loanId}/prepayment/simulate`;
    expectError(await call('POST', sp, { waive_penalty: false }), 400, 'ELND0504', 'body.amount_paid');
    expectError(await call('POST', sp, { amount_paid: 100 }), 400, 'ELND0506', 'body.waive_penalty');
    expectError(await call('POST', sp, { amount_paid: 0, waive_penalty: false }), 400, 'ELND0505', 'body.amount_paid');
    expectError(await call('POST', sp, { amount_paid: 1000, waive_penalty: false }), 400, 'ELND0508', 'body.amount_paid');
    expectError(await call('POST', sp, { amount_paid: 100, waive_penalty: false, reason: 'x'.repeat(257) }), 400, 'ELND0507', 'body.reason');

    const q = await ok(await call('POST', sp, { amount_paid: 300, waive_penalty: false, reason: 'bonus' }));
    expect(q).toMatchObject({ amount_paid: 300, penalty_amount: 3, reduce_option: 'INSTALLMENT', waive_penalty: false, settlement_date: today, reason: 'bonus' });
    expect(q.repayment_schedule.map((i: any) => [i.period, i.due_date])).toEqual(sim.repayment_schedule.map((i: any) => [i.period, i.due_date]));
    expect(principals(q.repayment_schedule)).toBe(70000);
    expect(q.original_balance).toMatchObject({ principal: 1000 });
    expect(q.new_balance.principal).toBe(700);
    // Lower, level installments (the last one absorbs the rounding).
    const [a, b] = q.repayment_schedule.map((i: any) => i.payment_amount);
    expect(a).toBeLessThan(sim.repayment_schedule[0].payment_amount * 0.75);
    expect(a).toBe(b);
    expect((await ok(await call('POST', sp, { amount_paid: 300, waive_penalty: true }))).penalty_amount).toBe(0);

    const reg = await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/${q.prepayment_id}/register`), 202);
    expect(reg).toEqual({ prepayment_id: q.prepayment_id, loan_id: loanId, amount_paid: 300, penalty_amount: 3, reduce_option: 'INSTALLMENT', settlement_date: today });
    // Registered once: the same answer, nothing posted twice.
    expect(await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/${q.prepayment_id}/register`), 202)).toEqual(reg);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.outstanding_balance.principal).toBe(700);
    expect(loan.outstanding_balance.total).toBe(q.new_balance.total);
    expect(loan.repayment_schedule.map((i: any) => [i.period, i.due_date, i.payment_amount, i.status])).toEqual(
      q.repayment_schedule.map((i: any) => [i.period, i.due_date, i.payment_amount, 'SCHEDULED']),
    );
    const rows = await app.platform.db.kysely.selectFrom('lending_repayments').selectAll().where('loan_id', '=', loanId).execute();
    expect(rows.map((r: any) => [r.source, String(r.amount_minor)])).toEqual([['PREPAYMENT', '30300']]);
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);

    // A simulation is stale once the balance moves; a loan paid off takes no prepayment.
    const stale = await ok(await call('POST', sp, { amount_paid: 100, waive_penalty: true }));
    await ok(await call('POST', `/lending/v1/loans/${loanId}/repayment`, { repayment_id: 'early', repayment_date: today, repayment_amount: 10 }), 202);
    expectError(await call('POST', `/lending/v1/loans/${loanId}/prepayment/${stale.prepayment_id}/register`), 400, 'ELND0509');
    expectError(await call('POST', `/lending/v1/loans/${loanId}/prepayment/not-a-uuid/register`), 400, 'ELND0500');
    expectError(await call('POST', `/lending/v1/loans/${loanId}/prepayment/6f1c2a44-8f43-4c8e-9d43-0d6c1f6c2a11/register`), 404, 'ELND0005');
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });

  it('TERM keeps the installment and shortens the term; the dropped installments are CANCELED', async () => {
    const { sim, loanId } = await prepaidLoan('PP_TERM', { penalty: { type: 'FIXED_AMOUNT', value: 5 }, reduce_option: ['TERM'] });
    const q = await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/simulate`, { amount_paid: 400, waive_penalty: false }));
    expect(q).toMatchObject({ reduce_option: 'TERM', penalty_amount: 5 });
    expect(q.repayment_schedule.map((i: any) => i.period)).toEqual([1, 2]);
    expect(q.repayment_schedule[0].payment_amount).toBe(sim.repayment_schedule[0].payment_amount);
    expect(principals(q.repayment_schedule)).toBe(60000);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/${q.prepayment_id}/register`), 202);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule.map((i: any) => i.status)).toEqual(['SCHEDULED', 'SCHEDULED', 'CANCELED']);
    expect(loan.outstanding_balance).toMatchObject({ principal: 600, total: q.new_balance.total });
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });

  /** A loan of 1000 at 12 % a year (1 % a month), disbursed today, of two stages of the product's modes: `first` for 2 months, then 3 months PRINCIPAL_AND_INTEREST. */
  async function stagedLoan(productId: string, first: 'INTEREST_ONLY' | 'MORATORIUM', reduce: 'INSTALLMENT' | 'TERM') {
    const stages = [
      { repayment_mode: { type: first }, period: { value: 2, unit: 'MONTH' } },
      { repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 3, unit: 'MONTH' } },
    ];
    await ok(await call('POST', '/lending/v1/loan-products', personalProduct(debitProgram, { product_id: productId, stages, prepayment: { penalty: { type: 'PERCENTAGE', value: 0 }, reduce_option: [reduce] } })));
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    const rate = { value: 0.12, unit: 'YEAR' };
    const sim = await ok(
      await call('POST', '/lending/v1/simulations', {
        product_id: productId,
        loan_amount: 1000,
        start_date: today,
        stages: [
          { interest_rate: rate, period: { value: 2, unit: 'MONTH' } },
          { interest_rate: rate, period: { value: 3, unit: 'MONTH' } },
        ],
        disbursement: [{ due_date: today }],
      }),
    );
    const account = await freshAccount();
    const { loan_id: loanId } = await ok(await call('POST', '/lending/v1/loans', { loan_simulation_id: sim.loan_simulation_id, account_id: account.accountId }), 202);
    await ok(await call('POST', `/lending/v1/loans/${loanId}/disburse`, { disbursement_date: today, disbursed_amount: 1000, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } }), 202);
    return { sim, loanId: loanId as string };
  }
  const lines = (schedule: any[]) => schedule.map((i: any) => [i.period, i.principal_amount, i.interest_amount, i.payment_amount]);

  it('INSTALLMENT across stages: an INTEREST_ONLY stage then PRINCIPAL_AND_INTEREST keep their modes and rate on the lower balance', async () => {
    const { sim, loanId } = await stagedLoan('PP_STAGES_IO', 'INTEREST_ONLY', 'INSTALLMENT');
    // As booked: 2 × 10.00 interest only, then the annuity of 1000 at 1 % over 3 (340.02).
    expect(lines(sim.repayment_schedule)).toEqual([
      [1, 0, 10, 10],
      [2, 0, 10, 10],
      [3, 330.02, 10, 340.02],
      [4, 333.32, 6.7, 340.02],
      [5, 336.66, 3.37, 340.03],
    ]);
    const q = await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/simulate`, { amount_paid: 400, waive_penalty: false }));
    // 600 left. Interest only: 600 × 1 % = 6.00 twice. Then the annuity of 600 at 1 % over 3:
    // 600 × 0.01 / (1 − 1.01^−3) = 204.013… → 204.01; #3 interest 6.00, principal 198.01, 401.99
    // left; #4 interest 401.99 × 1 % = 4.0199 → 4.02, principal 199.99, 202.00 left; #5 the rest:
    // 202.00 + 2.02 = 204.02. The maturity and the due dates stay.
    expect(q).toMatchObject({ amount_paid: 400, penalty_amount: 0, reduce_option: 'INSTALLMENT' });
    expect(lines(q.repayment_schedule)).toEqual([
      [1, 0, 6, 6],
      [2, 0, 6, 6],
      [3, 198.01, 6, 204.01],
      [4, 199.99, 4.02, 204.01],
      [5, 202, 2.02, 204.02],
    ]);
    expect(q.repayment_schedule.map((i: any) => i.due_date)).toEqual(sim.repayment_schedule.map((i: any) => i.due_date));
    expect(q.new_balance).toMatchObject({ principal: 600, interest: 24.04 });
    await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/${q.prepayment_id}/register`), 202);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(lines(loan.repayment_schedule)).toEqual(lines(q.repayment_schedule));
    expect(loan.outstanding_balance).toMatchObject({ principal: 600, interest: 24.04, total: 624.04 });
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });

  it('TERM across stages, one month into a MORATORIUM: the last stage is shortened, the interest the moratorium deferred is still owed', async () => {
    const { sim, loanId } = await stagedLoan('PP_STAGES_MORA', 'MORATORIUM', 'TERM');
    // As booked: nothing due in the moratorium, its 2 × 10.00 interest spread over the 3
    // installments after it (6.67, 6.67, 6.66) on top of the annuity of 1000 at 1 % (340.02).
    expect(lines(sim.repayment_schedule)).toEqual([
      [1, 0, 0, 0],
      [2, 0, 0, 0],
      [3, 330.02, 16.67, 346.69],
      [4, 333.32, 13.37, 346.69],
      [5, 336.66, 10.03, 346.69],
    ]);
    // Past the first due date: installment 1 (nothing owed) is behind, 10.00 of interest deferred.
    const today = (await ok(await call('GET', '/lastro/v1/clock'), 200)).business_date as string;
    await advance(Math.round((Date.parse(sim.repayment_schedule[0].real_due_date) - Date.parse(today)) / 86_400_000) + 1);
    const q = await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/simulate`, { amount_paid: 400, waive_penalty: false }));
    // 600 left over the month of moratorium left (6.00 deferred) and then the fewest installments
    // whose annuity stays within 340.02: over 2, 600 × 0.01 / (1 − 1.01^−2) = 304.51 (over 1 it
    // would be 606.00). #3: interest 6.00 + half the new deferral 3.00 + the deferral carried from
    // month 1 on #3 (16.67 − 13.33 = 3.34) = 12.34, principal 304.51 − 6.00 = 298.51, 301.49
    // left; #4 the rest: 301.49, interest 3.01 + 3.00 + what #4 and the dropped #5 carried
    // (3.34 + 3.32 = 6.66) = 12.67. All 10.00 deferred in month 1 is still owed; #5 is CANCELED.
    expect(q.reduce_option).toBe('TERM');
    expect(lines(q.repayment_schedule)).toEqual([
      [2, 0, 0, 0],
      [3, 298.51, 12.34, 310.85],
      [4, 301.49, 12.67, 314.16],
    ]);
    expect(q.new_balance).toMatchObject({ principal: 600, interest: 25.01 });
    await ok(await call('POST', `/lending/v1/loans/${loanId}/prepayment/${q.prepayment_id}/register`), 202);
    const loan = await ok(await call('GET', `/lending/v1/loans/${loanId}?expand=true`), 200);
    expect(loan.repayment_schedule.slice(1).map((i: any) => [i.period, i.status])).toEqual([
      [2, 'SCHEDULED'],
      [3, 'SCHEDULED'],
      [4, 'SCHEDULED'],
      [5, 'CANCELED'],
    ]);
    expect(lines(loan.repayment_schedule.slice(1, 4))).toEqual(lines(q.repayment_schedule));
    expect(loan.outstanding_balance).toMatchObject({ principal: 600, interest: 25.01, total: 625.01 });
    expect((await ok(await call('GET', '/lastro/v1/ledger/verify'), 200)).ok).toBe(true);
    expect(await loanEvents(loanId)).toEqual(['loan-booking', 'disbursement:PROCESSING', 'disbursement:PAID', 'status:ACTIVE']);
  });

  it('refuses a product without prepayment, the lock-in, and a loan not active', async () => {
    const none = await prepaidLoan('PP_NONE', undefined);
    expectError(await call('POST', `/lending/v1/loans/${none.loanId}/prepayment/simulate`, { amount_paid: 100, waive_penalty: false }), 400, 'ELND0501');
    const locked = await prepaidLoan('PP_LOCKED', { penalty: { type: 'PERCENTAGE', value: 0 }, lock_in_period: 1, reduce_option: ['INSTALLMENT'] });
    expectError(await call('POST', `/lending/v1/loans/${locked.loanId}/prepayment/simulate`, { amount_paid: 100, waive_penalty: false }), 400, 'ELND0502');
    const { loanId } = await bookSeedLoan();
    expectError(await call('POST', `/lending/v1/loans/${loanId}/prepayment/simulate`, { amount_paid: 100, waive_penalty: false }), 400, 'ELND0007');
    expectError(await call('POST', '/lending/v1/loans/nope/prepayment/simulate', { amount_paid: 100, waive_penalty: false }), 404, 'ELND0005');
  });
});
