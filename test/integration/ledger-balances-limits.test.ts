// Balances and limits through the API: program limits (global configs) created, read with what the
// program's accounts are granted together, changed, and holding account limit changes to them;
// an account's limits with its related (descendant) accounts'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let credit: TestProgram;
let debit: TestProgram;
let parent: TestAccount;
let child: TestAccount;
let grandchild: TestAccount;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = tenant.headers) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const CONFIGS = '/balances-limits/v1/global-configs';

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  credit = await createProgram(app, tenant, 'CREDITO');
  debit = await createProgram(app, tenant, 'DEBITO');
  await createAccount(app, tenant, { program: credit }); // granted 1000
  await createAccount(app, tenant, { program: credit, account: { granted_limit: 2000, limit: 100 } });
  parent = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 30 } });
  child = await createAccount(app, tenant, { program: debit, account: { account_type: 'VIRTUAL', parent_account_id: parent.accountId, external_id: 'related-child', overdraft_limit: 5 } });
  grandchild = await createAccount(app, tenant, { program: debit, account: { account_type: 'VIRTUAL', parent_account_id: child.accountId, external_id: 'related-grandchild' } });
});
afterAll(async () => app?.close());

describe('program limits (global configs)', () => {
  it('creates one per program, reads it with the accumulated limit of its accounts, and changes it', async () => {
    const body = { level: 'PROGRAM', program_id: credit.programId, limits: { max_credit_limit: { value: 1000.5, is_active: true } } };
    const res = await call('POST', CONFIGS, body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).toBe('');
    expectError(await call('POST', CONFIGS, body), 409, 'DUPLICATE_CONFIG');
    const got = await call('GET', `${CONFIGS}?programId=${credit.programId}`);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toEqual([{ level: 'PROGRAM', program_id: credit.programId, limits: { max_credit_limit: { value: 1000.5, is_active: true, accumulated: 3000 } } }]);

    const patch = await call('PATCH', `${CONFIGS}/program/${credit.programId}`, { limits: { max_credit_limit: { value: 0 } } });
    expect(patch.statusCode, patch.body).toBe(204);
    expect((await call('GET', CONFIGS)).json()).toEqual([
      { level: 'PROGRAM', program_id: credit.programId, limits: { max_credit_limit: { value: 0, is_active: false, accumulated: 3000 } } },
    ]);
  });

  it("holds an account's max_credit_limit to the program's active limit", async () => {
    const program = await createProgram(app, tenant, 'CREDITO');
    const account = await createAccount(app, tenant, { program });
    const url = `/balances-limits/v1/accounts/${account.accountId}/limits`;
    await call('POST', CONFIGS, { level: 'PROGRAM', program_id: program.programId, limits: { max_credit_limit: { value: 1500, is_active: true } } });
    expectError(await call('PATCH', url, { max_credit_limit: 1500.01 }), 400, 'WLDG0025');
    expect((await call('PATCH', url, { max_credit_limit: 1500 })).statusCode).toBe(204);
    await call('PATCH', `${CONFIGS}/program/${program.programId}`, { limits: { max_credit_limit: { value: 1500, is_active: false } } });
    expect((await call('PATCH', url, { max_credit_limit: 9000 })).statusCode).toBe(204);
  });

  it('answers 400 naming the field, 404 WBLS0007 for a program without one, 400 WBLS0001 without x-tenant', async () => {
    const base = { level: 'PROGRAM', program_id: debit.programId, limits: { max_credit_limit: { value: 10, is_active: true } } };
    const level = await call('POST', CONFIGS, { ...base, level: 'INVALID' });
    expectError(level, 400, 'WBLS0002', 'body.level');
    expect(level.json().details[0].location).toBe('payload.level');
    expectError(await call('POST', CONFIGS, { ...base, limits: { max_credit_limit: { value: 10 } } }), 400, 'WBLS0002', 'body.limits.max_credit_limit.is_active');
    expectError(await call('POST', CONFIGS, { ...base, program_id: 99999999 }), 400, 'WBLS0002', 'body.program_id');
    expectError(await call('POST', CONFIGS, { ...base, limits: { max_credit_limit: { value: 1.001, is_active: true } } }), 400, 'WBLS0002', 'body.limits.max_credit_limit.value');
    expectError(await call('POST', CONFIGS, { ...base, limits: { max_credit_limit: { value: -1, is_active: true } } }), 400, 'VALIDATION_ERROR', 'body.limits.max_credit_limit.value');
    expectError(await call('GET', `${CONFIGS}?programId=${debit.programId}`), 404, 'WBLS0007');
    expectError(await call('GET', `${CONFIGS}?programId=abc`), 400, 'WBLS0005', 'query.programId');
    expectError(await call('PATCH', `${CONFIGS}/program/${debit.programId}`, { limits: { max_credit_limit: { value: 1, is_active: true } } }), 404, 'WBLS0007');
    const { 'x-tenant': _t, ...noTenant } = tenant.headers;
    expectError(await call('GET', CONFIGS, undefined, noTenant), 400, 'WBLS0001');
    // Nothing was written by the refused requests.
    expect((await call('GET', CONFIGS)).json().map((c: { program_id: number }) => c.program_id)).not.toContain(debit.programId);
  });
});

describe('GET /balances-limits/v1/accounts/{accountId}/related-accounts-limits', () => {
  it("answers the account's limits with its descendants', each naming its parent", async () => {
    const cashIn = await app.http.inject({
      method: 'POST',
      url: '/payment-methods/v2/payments',
      headers: { ...tenant.headers, 'x-account-id': String(child.accountId) },
      payload: { account_id: child.accountId, amount: 12.5, processing_code: '219803', tracking_id: '11111111-2222-4333-8444-555555555555' },
    });
    expect(cashIn.json().response_code).toBe('00');
    const res = await call('GET', `/balances-limits/v1/accounts/${parent.accountId}/related-accounts-limits`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      account_id: parent.accountId,
      program_id: debit.programId,
      total_overdraft_limit: 30,
      available_credit_limit: 30,
      held_funds: 0,
      currency_code: 'BRL',
      currency_numeric_code: '986',
      related_accounts: [
        { account_id: child.accountId, parent_account_id: parent.accountId, program_id: debit.programId, available_credit_limit: 17.5, total_overdraft_limit: 5 },
        { account_id: grandchild.accountId, parent_account_id: child.accountId, available_credit_limit: 0 },
      ],
    });
    expect((await call('GET', `/balances-limits/v1/accounts/${grandchild.accountId}/related-accounts-limits`)).json().related_accounts).toEqual([]);
  });

  it('answers 404 WBLS0006 for an unknown account and 400 WBLS0004 for a bad id', async () => {
    expectError(await call('GET', '/balances-limits/v1/accounts/99999999/related-accounts-limits'), 404, 'WBLS0006');
    expectError(await call('GET', '/balances-limits/v1/accounts/abc/related-accounts-limits'), 400, 'WBLS0004');
  });
});
