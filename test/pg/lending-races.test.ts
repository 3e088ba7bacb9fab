// Concurrent bookings on PostgreSQL (PGlite has one connection, so its transactions never
// overlap): an account holds one loan that is not final, so of several simulations booked on one
// account at the same time exactly one is booked and the others are 409 WLND0001 "Account is
// already in use" — never two loans on the account, never a 500.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProgram, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';
import { newBorrower, personalProduct } from '../helpers/lending.js';

let app: TestApp;
let tenant: Tenant;
let h: Record<string, string>;
let debit: TestProgram;
const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  app.http.inject({ method, url, headers: h, ...(payload === undefined ? {} : { payload: payload as object }) });

const simulate = async () => {
  const res = await call('POST', '/lending/v1/simulations', {
    product_id: 'RACE_PERSONAL',
    loan_amount: 1000,
    start_date: '2022-06-24',
    stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 3, unit: 'MONTH' } }],
    disbursement: [{ due_date: '2022-06-24' }],
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().loan_simulation_id as string;
};

beforeAll(async () => {
  let fixture;
  ({ app, ...tenant } = fixture = await setupTenant({ env: NO_RATE_LIMITS, org: { sandbox: true } }));
  h = fixture.headers;
  debit = await createProgram(app, tenant, 'DEBITO');
  const res = await call('POST', '/lending/v1/loan-products', personalProduct(debit.programId, { product_id: 'RACE_PERSONAL' }));
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => app?.close());

it('four simulations booked on one account at once: one 202, three 409 WLND0001, one loan on the account', async () => {
  for (let round = 0; round < 5; round++) {
    const account = await newBorrower(app, tenant, debit);
    const sims = await Promise.all([0, 1, 2, 3].map(() => simulate()));
    const rs = await Promise.all(sims.map((id) => call('POST', '/lending/v1/loans', { loan_simulation_id: id, account_id: account.accountId })));
    expect(rs.map((r) => r.statusCode).sort(), rs.map((r) => r.body).join('\n')).toEqual([202, 409, 409, 409]);
    for (const r of rs.filter((x) => x.statusCode === 409)) expect(r.json()).toMatchObject({ code: 'WLND0001', message: 'Account is already in use' });
    const loans = (await call('GET', `/lending/v1/loans?account_id=${account.accountId}`)).json().items;
    expect(loans).toHaveLength(1);
    expect(loans[0].loan_id).toBe(rs.find((r) => r.statusCode === 202)!.json().loan_id);
    // The simulations that lost are not used up: once the loan is canceled one of them books.
    await call('DELETE', `/lending/v1/loans/${loans[0].loan_id}`);
    const loser = sims[rs.findIndex((r) => r.statusCode === 409)]!;
    expect((await call('POST', '/lending/v1/loans', { loan_simulation_id: loser, account_id: account.accountId })).statusCode).toBe(202);
  }
});
