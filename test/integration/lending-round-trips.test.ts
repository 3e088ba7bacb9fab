// What one loan simulation costs in round trips to the database: every pg client call (one
// pipeline, one Sync) while the request runs, counted in process (on PostgreSQL; PGlite has no
// pg client). A simulation after the product's first use reads nothing that never changes (the
// product and its plan codes: kept per org), and reads the calendar and its holidays once for all
// its due dates, not once per due date; the bound below fails when a change adds statements back.
// On both engines: the real due dates stay those of the calendar (a parent's holiday, weekends),
// and a product read in a transaction that rolled back is not kept.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as productsRepo from '../../src/modules/lending/loan-products.repo.js';
import { findLoanProduct } from '../../src/modules/lending/loan-products.service.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';
import { personalProduct } from '../helpers/lending.js';
import { bodies } from './programs-fixtures.js';

let app: TestApp;
let tenant: Tenant;
let calls = 0;
const original = pg.Client.prototype.query;
const onPostgres = process.env.LASTRO_TEST_ENGINE === 'postgres';

const call = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.http.inject({ method, url, headers: tenant.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; trips: number }> {
  calls = 0;
  const result = await fn();
  return { result, trips: calls };
}

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
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    calls++;
    if (process.env.LASTRO_TRACE_TRIPS) {
      const q = args[0] as { text?: string; steps?: { text: string }[] } | string;
      console.log(`#${calls}`, typeof q === 'string' ? q.slice(0, 100) : (q.steps ?? [{ text: q.text ?? '?' }]).map((s) => s.text.replace(/\s+/g, ' ').slice(0, 90)).join(' || '));
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
});
afterAll(async () => {
  pg.Client.prototype.query = original;
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
    // The org's sandbox flag; the program's business date (org, program, day scope); the
    // program's calendar; the calendar, its ancestors and their holidays (once for the 12 due
    // dates, not once per due date: 36 trips before); the simulation; its event with the COMMIT.
    // PostgreSQL may add a coalesced NOTIFY of an earlier commit's events.
    expect(warm.trips).toBeGreaterThan(0);
    expect(warm.trips).toBeLessThanOrEqual(11);
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
