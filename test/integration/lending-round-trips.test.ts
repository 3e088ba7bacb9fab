// What one loan simulation costs in round trips to the database: every pg client call (one
// pipeline, one Sync) while the request runs, counted in process (on PostgreSQL; PGlite has no
// pg client). A simulation after the product's first use reads nothing that never changes (the
// product and its plan codes: kept per org), and reads the calendar and its holidays once for all
// its due dates, not once per due date; the bound below fails when a change adds statements back.
// On both engines: the real due dates stay those of the calendar (a parent's holiday, weekends),
// and a product read in a transaction that rolled back is not kept.
//
// A day of collections reads the loans due, their installments, accounts and balances once for
// all of them: what a further loan collected adds is its writes only, which the bound on the
// round trips per loan checks (5 now; 12 when each loan was read on its own).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as productsRepo from '../../src/modules/lending/loan-products.repo.js';
import { findLoanProduct } from '../../src/modules/lending/loan-products.service.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { createAccount, createProgram } from '../helpers/accounts.js';
import { addTenant, NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';
import { personalProduct } from '../helpers/lending.js';
import { bodies } from './programs-fixtures.js';
import { countRoundTrips, counted } from '../helpers/round-trips.js';
import * as calendarsRepo from '../../src/modules/calendars/calendars.repo.js';
import { businessDaysOnOrAfter } from '../../src/modules/calendars/index.js';

let app: TestApp;
let tenant: Tenant;
let stopCounting: (() => void) | undefined;
const onPostgres = process.env.LASTRO_TEST_ENGINE === 'postgres';

const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.http.inject({ method, url, headers: tenant.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

/** 12 monthly installments from 2026-11-25 (the test clock starts on 2026-11-23). */
const simulation = (productId: string) => ({
  product_id: productId,
  loan_amount: 1200,
  start_date: '2026-11-25',
  stages: [{ interest_rate: { value: 0.12, unit: 'YEAR' }, period: { value: 12, unit: 'MONTH' } }],
  disbursement: [{ due_date: '2026-11-25' }],
});

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  // A state calendar under a national one: the program's due dates move past both one's holidays.
  const national = await call('POST', '/holidays-core/v1/holiday-calendar', {
    name: 'National',
    type: 'Country',
    holidays: [
      { name: 'Christmas', holiday_date: '2026-12-25' },
      { name: 'Bench day', holiday_date: '2027-01-25' },
    ],
  });
  expect(national.statusCode, national.body).toBe(201);
  const state = await call('POST', '/holidays-core/v1/holiday-calendar', {
    name: 'State',
    type: 'State',
    parent_id: national.json().holiday_calendar_id,
    holidays: [{ name: 'State day', holiday_date: '2027-03-25' }],
  });
  expect(state.statusCode, state.body).toBe(201);
  const program = await call('POST', '/programs/v1/programs/template', { ...bodies.CREDITO, holiday_calendar_id: String(state.json().holiday_calendar_id) });
  expect(program.statusCode, program.body).toBe(200);
  const product = await call('POST', '/lending/v1/loan-products', personalProduct(program.json().id, { product_id: 'TRIPS', stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }] }));
  expect(product.statusCode, product.body).toBe(201);
  stopCounting = countRoundTrips();
});
afterAll(async () => {
  stopCounting?.();
  await app?.close();
});

describe('a loan simulation', () => {
  it('moves each due date past weekends and the holidays of the calendar and its parent', async () => {
    const res = await call('POST', '/lending/v1/simulations', simulation('TRIPS'));
    expect(res.statusCode, res.body).toBe(201);
    const schedule = res.json().repayment_schedule as { due_date: string; real_due_date: string }[];
    expect(schedule.map((i) => [i.due_date, i.real_due_date])).toEqual([
      ['2026-12-25', '2026-12-28'], // the national Christmas (a Friday) → Monday
      ['2027-01-25', '2027-01-26'], // the national day (a Monday) → Tuesday
      ['2027-02-25', '2027-02-25'],
      ['2027-03-25', '2027-03-26'], // the state's day (a Thursday) → Friday
      ['2027-04-25', '2027-04-26'], // a Sunday → Monday
      ['2027-05-25', '2027-05-25'],
      ['2027-06-25', '2027-06-25'],
      ['2027-07-25', '2027-07-26'], // a Sunday
      ['2027-08-25', '2027-08-25'],
      ['2027-09-25', '2027-09-27'], // a Saturday
      ['2027-10-25', '2027-10-25'],
      ['2027-11-25', '2027-11-25'],
    ]);
  });

  it.runIf(onPostgres)('costs a bounded number of round trips once the product was used', async () => {
    const first = await call('POST', '/lending/v1/simulations', simulation('TRIPS'));
    expect(first.statusCode, first.body).toBe(201);
    const warm = await counted(() => call('POST', '/lending/v1/simulations', simulation('TRIPS')));
    expect(warm.result.statusCode, warm.result.body).toBe(201);
    if (process.env.LASTRO_TRACE_TRIPS) console.log(`round trips: ${warm.trips}`);
    // One: BEGIN, the simulation, its event and COMMIT. Everything it reads is kept by the process:
    // the product, the program's business date (the test org is a production org: its zone, its
    // sandbox flag and its last closed day), the program's calendar, its ancestors and their
    // holidays. 11 before the calendars and the last closed day were kept, 47 before the holidays
    // were read once for all due dates.
    expect(warm.trips).toBe(1);
  });

  it('does not keep a product read in a transaction that rolled back', async () => {
    const row = await app.platform.db.kysely.selectFrom('lending_loan_products').selectAll().where('org_id', '=', tenant.org.orgId).where('product_id', '=', 'TRIPS').executeTakeFirstOrThrow();
    const { seq: _seq, ...copy } = row;
    const failed = app.platform.tenant({ orgId: tenant.org.orgId, cid: 'test', actor: 'test' }, async (t) => {
      await productsRepo.insertProduct(t.db, { ...copy, terms: JSON.stringify(copy.terms), product_id: 'ROLLED_BACK' });
      expect((await findLoanProduct(t, 'ROLLED_BACK'))?.product_id).toBe('ROLLED_BACK');
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    expectError(await call('POST', '/lending/v1/simulations', simulation('ROLLED_BACK')), 400, 'ELND0005');
  });
});

describe('kept calendars', () => {
  const realDates = async () => {
    const res = await call('POST', '/lending/v1/simulations', simulation('TRIPS'));
    expect(res.statusCode, res.body).toBe(201);
    return (res.json().repayment_schedule as { real_due_date: string }[]).map((i) => i.real_due_date);
  };
  const programOf = async () => (await app.platform.db.kysely.selectFrom('lending_loan_products').select('program_id').where('org_id', '=', tenant.org.orgId).where('product_id', '=', 'TRIPS').executeTakeFirstOrThrow()).program_id;
  const calendarOfProgram = async () =>
    (await app.platform.db.kysely.selectFrom('programs').select('holiday_calendar_id').where('org_id', '=', tenant.org.orgId).where('program_id', '=', BigInt(await programOf())).executeTakeFirstOrThrow()).holiday_calendar_id!;

  it("a holiday added or deleted through the API moves the next simulation's due dates at once", async () => {
    const calendarId = await calendarOfProgram();
    expect((await realDates())[5]).toBe('2027-05-25');
    const added = await call('POST', '/holidays-core/v1/holiday-calendar/holiday', { holiday_calendar_id: Number(calendarId), name: 'New day', holiday_date: '2027-05-25' });
    expect(added.statusCode, added.body).toBe(201);
    expect((await realDates())[5]).toBe('2027-05-26');
    const removed = await app.http.inject({ method: 'DELETE', url: `/holidays-core/v1/holiday-calendar/${calendarId}/holiday/${added.json().holiday_id}`, headers: tenant.headers });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await realDates())[5]).toBe('2027-05-25');
  });

  it("a program's new calendar counts at once", async () => {
    const programId = await programOf();
    const before = await calendarOfProgram();
    const other = await call('POST', '/holidays-core/v1/holiday-calendar', { name: 'Other', type: 'Country', holidays: [{ name: 'Other day', holiday_date: '2027-02-25' }] });
    expect(other.statusCode, other.body).toBe(201);
    expect((await realDates())[2]).toBe('2027-02-25');
    const patch = (id: string) => app.http.inject({ method: 'PATCH', url: `/programs/v1/programs/${programId}`, headers: tenant.headers, payload: { holiday_calendar_id: id } });
    expect((await patch(String(other.json().holiday_calendar_id))).statusCode).toBe(204);
    const moved = await realDates();
    expect(moved[2]).toBe('2027-02-26');
    expect(moved[0]).toBe('2026-12-25'); // the national Christmas is not the other calendar's
    expect((await patch(String(before))).statusCode).toBe(204);
    expect((await realDates())[2]).toBe('2027-02-25');
  });

  it('a holiday seen by a transaction that rolled back is not kept', async () => {
    const calendarId = await calendarOfProgram();
    expect((await realDates())[6]).toBe('2027-06-25');
    const failed = app.platform.tenant({ orgId: tenant.org.orgId, cid: 'test', actor: 'test' }, async (t) => {
      const now = new Date();
      await calendarsRepo.insertHolidays(t.db, [{ org_id: t.orgId, holiday_calendar_id: calendarId, holiday_date: '2027-06-25', name: 'Never', description: null, metadata: null, created_at: now, updated_at: now }]);
      const seen = await businessDaysOnOrAfter(t, calendarId, ['2027-06-25']);
      expect(seen.get('2027-06-25')).toBe('2027-06-28');
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    expect((await realDates())[6]).toBe('2027-06-25');
  });
});

describe('a day of auto-collections', () => {
  it.runIf(onPostgres)('adds only the writes of each further loan collected, not its reads', async () => {
    const sandbox = await addTenant(app, { sandbox: true });
    const as = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.http.inject({ method, url, headers: sandbox.headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    const debit = await createProgram(app, sandbox, 'DEBITO');
    expect((await as('POST', '/lending/v1/loan-products', personalProduct(debit.programId, { product_id: 'AUTO' }))).statusCode).toBe(201);
    const today = async () => (await as('GET', '/lastro/v1/clock')).json().business_date as string;
    const book = async (n: number) => {
      const dues: string[] = [];
      for (let k = 0; k < n; k++) {
        const account = await createAccount(app, sandbox, { program: debit, account: { overdraft_limit: 10_000 } });
        const date = await today();
        const sim = await as('POST', '/lending/v1/simulations', { ...simulation('AUTO'), start_date: date, disbursement: [{ due_date: date }], auto_collection: true });
        expect(sim.statusCode, sim.body).toBe(201);
        const loan = await as('POST', '/lending/v1/loans', { loan_simulation_id: sim.json().loan_simulation_id, account_id: account.accountId });
        expect(loan.statusCode, loan.body).toBe(202);
        const paid = await as('POST', `/lending/v1/loans/${loan.json().loan_id}/disburse`, { disbursement_date: date, disbursed_amount: 1200, disbursement_account: { type: 'INTERNAL', account_id: account.accountId } });
        expect(paid.statusCode, paid.body).toBe(202);
        dues.push(sim.json().repayment_schedule[0].real_due_date);
      }
      return dues;
    };
    const advance = async (days: number) => {
      const res = await as('POST', '/lastro/v1/clock/advance', { days });
      expect(res.statusCode, res.body).toBe(200);
    };
    // 2 loans first due on one day, 6 on the next (booked a day later).
    const first = await book(2);
    await advance(1);
    const second = await book(6);
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    const [d1, d2] = [first[0]!, second[0]!];
    expect(Date.parse(d2) - Date.parse(d1)).toBe(86_400_000);
    // Up to the day before the first due date, then one day at a time, each closing its due day.
    const days = (to: string, from: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
    await advance(days(d1, await today()));
    const two = await counted(() => advance(1));
    const six = await counted(() => advance(1));
    const collected = await app.platform.db.kysely
      .selectFrom('lending_repayments')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', sandbox.org.orgId)
      .where('source', '=', 'AUTO')
      .executeTakeFirstOrThrow();
    expect(Number(collected.n)).toBe(8);
    const perLoan = (six.trips - two.trips) / 4;
    if (process.env.LASTRO_TRACE_TRIPS) console.log(`round trips: ${two.trips} (2 collections), ${six.trips} (6 collections), ${perLoan} per further loan`);
    // The installment, the journal entry (balances, entry id, entry with postings and balances), the repayment.
    expect(perLoan).toBeLessThanOrEqual(8);
  });
});
