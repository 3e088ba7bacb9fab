// Contract tests: Pismo's Payment methods v2 payments (create, confirm, cancel), Balances and
// limits program limits and related accounts, and Transactions' list filters: real requests and
// responses, success and each documented error, checked against Pismo's spec files.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { describeContract, expectConforms, type RequestSample } from './pismo-spec.js';

const PAYMENTS = 'Core_platform_-_Payment_methods.yaml';
const LIMITS = 'Core_platform_-_Balances_and_limits.yaml';
const TRANSACTIONS = 'Core_platform_-_Transactions.yaml';
const PM = '/payment-methods/v2/payments';

let app: TestApp;
let h: Record<string, string>;
let a: TestAccount;
let child: TestAccount;
let program: TestProgram;
let n = 0;
const tid = () => `0b6995e5-b417-4be4-92b3-${String((n += 1)).padStart(12, '0')}`;

async function exchange(spec: string, req: RequestSample, expected: number, opts: { request?: boolean } = {}) {
  const headers = { ...h, ...(req.headers as Record<string, string>) };
  const res = await app.http.inject({ method: req.method as 'GET', url: req.path, headers, ...(req.body === undefined ? {} : { payload: req.body as object }) });
  expect(res.statusCode, res.body).toBe(expected);
  expectConforms(spec, { request: { ...req, headers }, response: res }, opts);
  return res;
}
const as = (account: TestAccount) => ({ 'x-account-id': String(account.accountId) });
const pm = (path: string, body: Record<string, unknown>, expected: number, opts: { request?: boolean } = {}) =>
  exchange(PAYMENTS, { method: 'POST', path: `${PM}${path}`, headers: as(a), body }, expected, opts);
const payment = (amount: number, code = '219803', extra: Record<string, unknown> = {}) => ({ account_id: a.accountId, amount, processing_code: code, tracking_id: tid(), ...extra });

describeContract('Pismo contract: payment methods, program limits, related accounts, transaction filters', () => {
  beforeAll(async () => {
    ({ app, headers: h } = await setupTenant({ env: NO_RATE_LIMITS }));
    program = await createProgram(app, { headers: h }, 'DEBITO');
    a = await createAccount(app, { headers: h }, { program, account: { overdraft_limit: 10 } });
    child = await createAccount(app, { headers: h }, { program, account: { account_type: 'VIRTUAL', parent_account_id: a.accountId, external_id: 'contract-child' } });
  });
  afterAll(async () => app?.close());

  it('POST /payment-methods/v2/payments: 201 approved or denied, 200 for a repeat, 400 (WONP0001, WONB0001), 409 WONP0003', async () => {
    const body = payment(100);
    expect((await pm('', body, 201)).json().response_code).toBe('00');
    expect((await pm('', body, 200)).json().response_code).toBe('00');
    expect((await pm('', payment(1000, '002000'), 201)).json()).toMatchObject({ response_code: '51', denial_code: 'DAL' });
    expect((await pm('', payment(1.001), 400)).json().code).toBe('WONP0001');
    expect((await pm('', { ...payment(1), account_id: child.accountId }, 400)).json().code).toBe('WONB0001');
    expect((await pm('', { ...body, amount: 2 }, 409)).json().code).toBe('WONP0003');
  });

  it('POST /payment-methods/v2/payments/confirm: 200, 400 WONP0010, 404 WONP0009, 409 WONP0003', async () => {
    const auth = payment(20, '002000', { pre_authorization: true });
    await pm('', auth, 201);
    const confirm = { tracking_id: tid(), original_tracking_id: auth.tracking_id, amount: 15 };
    expect((await pm('/confirm', confirm, 200)).json()).toMatchObject({ response_code: '00', amount: 15 });
    expect((await pm('/confirm', { ...confirm, tracking_id: tid() }, 400)).json().code).toBe('WONP0010');
    expect((await pm('/confirm', { tracking_id: tid(), original_tracking_id: tid() }, 404)).json().code).toBe('WONP0009');
    expect((await pm('/confirm', { ...confirm, amount: 14 }, 409)).json().code).toBe('WONP0003');
  });

  it('POST /payment-methods/v2/payments/cancel: 201, 200 for a repeat, 404 WONP0009, 409 WONP0003', async () => {
    const original = payment(30);
    await pm('', original, 201);
    const cancel = { tracking_id: tid(), original_tracking_id: original.tracking_id, amount: 10 };
    expect((await pm('/cancel', cancel, 201)).json()).toMatchObject({ response_code: '00', amount: 10 });
    await pm('/cancel', cancel, 200);
    expect((await pm('/cancel', { tracking_id: tid(), original_tracking_id: tid() }, 404)).json().code).toBe('WONP0009');
    expect((await pm('/cancel', { ...cancel, amount: 11 }, 409)).json().code).toBe('WONP0003');
    // A request the spec itself refuses (tracking_id under 36 characters): only the answer is checked.
    expect((await pm('/cancel', { tracking_id: 'short', original_tracking_id: original.tracking_id }, 400, { request: false })).json().code).toBe('VALIDATION_ERROR');
  });

  it('program limits: POST 201, 400 WBLS0002, 409 DUPLICATE_CONFIG; GET 200, 400 WBLS0005, 404; PATCH 204, 400, 404', async () => {
    const body = { level: 'PROGRAM', program_id: program.programId, limits: { max_credit_limit: { value: 1000.5, is_active: true } } };
    await exchange(LIMITS, { method: 'POST', path: '/balances-limits/v1/global-configs', body }, 201);
    await exchange(LIMITS, { method: 'POST', path: '/balances-limits/v1/global-configs', body: { ...body, level: 'INVALID' } }, 400, { request: false });
    await exchange(LIMITS, { method: 'POST', path: '/balances-limits/v1/global-configs', body }, 409);
    const got = await exchange(LIMITS, { method: 'GET', path: `/balances-limits/v1/global-configs?programId=${program.programId}` }, 200);
    expect(got.json()[0].limits.max_credit_limit).toMatchObject({ value: 1000.5, is_active: true });
    await exchange(LIMITS, { method: 'GET', path: '/balances-limits/v1/global-configs?programId=abc' }, 400, { request: false });
    await exchange(LIMITS, { method: 'GET', path: '/balances-limits/v1/global-configs?programId=99999999' }, 404);
    const path = `/balances-limits/v1/global-configs/program/${program.programId}`;
    await exchange(LIMITS, { method: 'PATCH', path, body: { limits: { max_credit_limit: { value: 0, is_active: false } } } }, 204);
    await exchange(LIMITS, { method: 'PATCH', path, body: { limits: { max_credit_limit: { value: 5 } } } }, 400, { request: false });
    await exchange(LIMITS, { method: 'PATCH', path: '/balances-limits/v1/global-configs/program/99999999', body: { limits: { max_credit_limit: { value: 1, is_active: true } } } }, 404);
  });

  it('GET /balances-limits/v1/accounts/{accountId}/related-accounts-limits: 200, 400 WBLS0004, 404 WBLS0006', async () => {
    const res = await exchange(LIMITS, { method: 'GET', path: `/balances-limits/v1/accounts/${a.accountId}/related-accounts-limits` }, 200);
    expect(res.json().related_accounts).toMatchObject([{ account_id: child.accountId, parent_account_id: a.accountId }]);
    await exchange(LIMITS, { method: 'GET', path: '/balances-limits/v1/accounts/abc/related-accounts-limits' }, 400, { request: false });
    await exchange(LIMITS, { method: 'GET', path: '/balances-limits/v1/accounts/99999999/related-accounts-limits' }, 404);
  });

  it("GET /transactions-core/v2/transactions with the spec's filters: 200, and 400 WTRC00001", async () => {
    const list = (query: string, status: number) =>
      exchange(TRANSACTIONS, { method: 'GET', path: `/transactions-core/v2/transactions?${query}`, headers: as(a) }, status, { request: false });
    const latest = await list('numberOfLatestTransactions=2', 200);
    const ids = latest.json().items.map((t: { id: number }) => t.id);
    expect(ids).toHaveLength(2);
    expect((await list(`ids=${ids[0]}&ids=${ids[1]}&statementPost=true&authorizationType=PLATFORM`, 200)).json().items).toHaveLength(2);
    expect((await list(`statementId=1&customerId=${a.customerId}`, 200)).json().items).toEqual([]);
    expect((await list('numberOfLatestTransactions=501', 400)).json().code).toBe('WTRC00001');
    expect((await list(`ids=${ids[0]}&authorizationType=CARD`, 400)).json().code).toBe('WTRC00001');
  });
});
