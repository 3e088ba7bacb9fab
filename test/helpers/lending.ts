// Request bodies and accounts the lending tests share.
import { createAccount, type TestAccount, type TestProgram } from './accounts.js';
import type { TestApp } from './app.js';
import type { Tenant } from './fixture.js';

/** The seed's personal loan product: monthly, reducing balance, one 3-month stage. */
export const personalProduct = (programId: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  program_id: programId,
  product_name: 'Personal loan 12%',
  product_type: 'PERSONAL',
  collateral: 'NONE',
  currency: 986,
  days_in_year_method: 'ACTUAL_ACTUAL',
  disbursement: { type: 'SINGLE' },
  interest_type: 'SIMPLE',
  loan_type: 'FIXED_RATE',
  repayment_calculation_method: 'EI_REDUCING_BALANCE',
  repayment_frequency: { method: 'MONTHLY' },
  stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' }, period: { value: 3, unit: 'MONTH' } }],
  ...extra,
});

/** A BNPL product on `programId`: biweekly, flat, three interest-free periods, 25 % down. */
export const bnplProduct = (programId: number, productId: string): Record<string, unknown> =>
  personalProduct(programId, {
    product_id: productId,
    product_type: 'BNPL',
    repayment_calculation_method: 'FLAT_BASIS',
    repayment_frequency: { method: 'BIWEEKLY' },
    stages: [{ repayment_mode: { type: 'PRINCIPAL_AND_INTEREST' } }],
    interest_free_periods: 3,
    down_payment: { percentage: 0.25 },
  });

/** A 400.00 purchase on a BNPL product, from 2022-06-24 over six weeks. */
export const bnplSimulation = (productId: string): Record<string, unknown> => ({
  product_id: productId,
  loan_amount: 400,
  start_date: '2022-06-24',
  stages: [{ interest_rate: { value: 0.1, unit: 'YEAR' }, period: { value: 6, unit: 'WEEK' } }],
  disbursement: [{ due_date: '2022-06-24' }],
});

/**
 * A fresh borrower's account on `program`: an account holds one loan until that loan is CANCELED
 * or SETTLED (409 WLND0001 "Account is already in use"), so every loan a test books gets its own.
 */
export const newBorrower = (app: TestApp, tenant: Pick<Tenant, 'headers'>, program: TestProgram): Promise<TestAccount> => createAccount(app, tenant, { program });
