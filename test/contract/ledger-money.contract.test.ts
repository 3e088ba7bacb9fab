// Contract tests: Pismo's Payments (Transfer funds, Cancel transfer funds, hold funds), Ledger
// (account limits) and Balances and limits (Update account limits) operations, real requests and
// responses, success and documented errors, checked against Pismo's spec files. The transfer
// bodies are the spec's own P2P, Cashin and Cashout examples with this org's account ids.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { describeContract, expectConforms, type RequestSample } from './pismo-spec.js';

const PAYMENTS = 'Core_platform_-_Payment_methods.yaml';
const LEDGER = 'Core_platform_-_Ledger.yaml';
const LIMITS = 'Core_platform_-_Balances_and_limits.yaml';

let app: TestApp;
let h: Record<string, string>;
let a: TestAccount;
let b: TestAccount;

async function exchange(spec: string, req: RequestSample, expected: number, opts: { request?: boolean } = {}) {
  const res = await app.http.inject({
    method: req.method as 'GET',
    url: req.path,
    headers: { ...h, ...(req.headers as Record<string, string>) },
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
  expect(res.statusCode, res.body).toBe(expected);
  expectConforms(spec, { request: { ...req, headers: { ...h, ...req.headers } }, response: res }, opts);
  return res;
}

const as = (account: TestAccount) => ({ 'x-account-id': String(account.accountId) });
// Requests are not checked against the spec here: its `from`/`to` items are a oneOf of payment
// methods none of which requires its own key, so every example matches several (and its Cashin
// example leaves out custom_info.external_id, which it marks required). Responses are checked.
const payment = (body: unknown, account: TestAccount, expected: number, headers: Record<string, string> = {}) =>
  exchange(PAYMENTS, { method: 'POST', path: '/payments/v1/payments', headers: { ...as(account), ...headers }, body }, expected, { request: false });

// The spec's examples, with this org's accounts for 2417 and 2418.
const p2p = (amount = 12.34, extra: Record<string, unknown> = {}) => ({
  from: [{ processing_code: '002000', amount, account: { id: a.accountId } }],
  to: [{ processing_code: '004000', account: { id: b.accountId } }],
  ...extra,
});
const cashin = () => ({ from: [{ custom_info: { type: 'DEPOSIT' } }], to: [{ processing_code: '004000', amount: 12.34, account: { id: a.accountId } }] });
const cashout = () => ({
  from: [{ processing_code: '002000', amount: 12.34, account: { id: a.accountId } }],
  to: [{ custom_info: { type: 'WITHDRAWAL' }, beneficiary_id: '2c298321-bc21-4039-9c45-780cc6d4ec46' }],
});

describeContract('Pismo contract: payments, holds and limits', () => {
  beforeAll(async () => {
    ({ app, headers: h } = await setupTenant({ env: NO_RATE_LIMITS }));
    const debit = await createProgram(app, { headers: h }, 'DEBITO');
    a = await createAccount(app, { headers: h }, { program: debit, account: { overdraft_limit: 10 } });
    b = await createAccount(app, { headers: h }, { program: debit });
    for (let i = 0; i < 10; i++) await payment(cashin(), a, 201);
  });
  afterAll(async () => app?.close());

  it("POST /payments/v1/payments: the spec's P2P, Cashin and Cashout examples; the documented 400s, 409 and 422", async () => {
    await payment(p2p(), a, 201);
    await payment(cashin(), a, 201);
    await payment(cashout(), a, 201);
    const code = async (body: unknown, status: number, c: string, account = a) => expect((await payment(body, account, status)).json().code).toBe(c);
    await code(p2p(10_000), 400, 'WLDG0006');
    await code({ ...p2p(), from: [{ processing_code: '004000', amount: 1, account: { id: a.accountId } }] }, 400, 'WP2P0005');
    await code({ ...p2p(), to: [{ processing_code: '002000', account: { id: b.accountId } }] }, 400, 'WP2P0006');
    await code({ ...p2p(), from: [{ processing_code: '999999', amount: 1, account: { id: a.accountId } }] }, 400, 'WP2P0003');
    await code({ ...p2p(), to: [{ processing_code: '004000', account: { id: 99999999 } }] }, 400, 'WLDG0019');
    await code(p2p(1.001), 400, 'WP2P0000');
    await code(p2p(1, { tracking_id: `${'0'.repeat(36)}-too-long-for-pismo` }), 400, 'WP2P0019');
    await code(p2p(), 422, 'WP2P0000', b);
    const tracking = { tracking_id: '4f0c9a3e-54a5-4b8a-9d1e-2d6f1b7c8a90' };
    await payment(p2p(1, tracking), a, 201);
    // The spec's 409 is a oneOf of TrackingIdAlreadyInUseResponse and ErrorModel, which every
    // error body matches both of ("exactly one" cannot hold): the body is checked by hand.
    const conflict = await app.http.inject({ method: 'POST', url: '/payments/v1/payments', headers: { ...h, ...as(a) }, payload: p2p(1, tracking) });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'WP2P0010', authorizations: [{ response_code: '00', amount: 1 }, { response_code: '00', amount: 1 }] });
    expect((await payment(p2p(1, tracking), a, 208, { 'x-alt-conflict': 'true' })).json().code).toBe('WP2P0010');
  });

  it('POST /payments/v2/cancel: 200, and 208 AMON0004 once cancelled', async () => {
    const original = '9a1d2e3f-4b5c-4d6e-8f70-0a1b2c3d4e5f';
    await payment(p2p(2, { tracking_id: original }), a, 201);
    const body = { original_tracking_id: original, amount: 2 };
    await exchange(PAYMENTS, { method: 'POST', path: '/payments/v2/cancel', body }, 200);
    expect((await exchange(PAYMENTS, { method: 'POST', path: '/payments/v2/cancel', body }, 208)).json().code).toBe('AMON0004');
    await exchange(PAYMENTS, { method: 'POST', path: '/payments/v2/cancel', body: { original_tracking_id: '00000000-0000-4000-8000-000000000000', amount: 2 } }, 404);
  });

  it('hold funds: block, unblock, transfer and transfer cancel answer 201; an unknown hold 404; a bad amount 400', async () => {
    const hold = (path: string, body: unknown, status: number) => exchange(PAYMENTS, { method: 'POST', path: `/payments/v1/payments/hold-funds/${path}`, body }, status);
    const body = (amount: number, code = '002000') => ({ tracking_id: 'contract-hold', account_id: a.accountId, amount, processing_code: code });
    await hold('block', body(5), 201);
    await hold('unblock', body(1, '004000'), 201);
    await hold('transfer', body(2), 201);
    await hold('transfer/cancel', { tracking_id: 'contract-hold-undo', original_tracking_id: 'contract-hold', account_id: a.accountId, amount: 2, processing_code: '004000' }, 201);
    await hold('unblock', { ...body(1, '004000'), tracking_id: 'no-such-hold' }, 404);
    expect((await hold('block', { ...body(1.001), tracking_id: 'contract-hold-2' }, 400)).json().code).toBe('WP2P0000');
  });

  it('GET and PATCH /ledger/v1/accounts/{accountId}/limits: 200/204, 400 WLDG0020 and WLDG0025, 404 WLDG0022', async () => {
    const credit = await createAccount(app, { headers: h });
    const limits = await exchange(LEDGER, { method: 'GET', path: `/ledger/v1/accounts/${credit.accountId}/limits` }, 200);
    expect(limits.json()).toMatchObject({ max_credit_limit: 1000, total_credit_limit: 500, available_credit_limit: 500, currency_code: 'BRL', currency_numeric_code: '986' });
    await exchange(LEDGER, { method: 'GET', path: '/ledger/v1/accounts/99999999/limits' }, 404);
    await exchange(LEDGER, { method: 'GET', path: '/ledger/v1/accounts/abc/limits' }, 400, { request: false });
    await exchange(LEDGER, { method: 'PATCH', path: `/ledger/v1/accounts/${credit.accountId}/limits`, body: { total_credit_limit: 800.01, max_credit_limit: 900 } }, 204);
    const rule = await exchange(LEDGER, { method: 'PATCH', path: `/ledger/v1/accounts/${credit.accountId}/limits`, body: { max_credit_limit: 800 } }, 400);
    expect(rule.json().code).toBe('WLDG0025');
    await exchange(LEDGER, { method: 'PATCH', path: '/ledger/v1/accounts/99999999/limits', body: { total_credit_limit: 1 } }, 404);
  });

  it('PATCH /balances-limits/v1/accounts/{accountId}/limits: 204, and 400 without x-tenant', async () => {
    const path = `/balances-limits/v1/accounts/${a.accountId}/limits`;
    await exchange(LIMITS, { method: 'PATCH', path, body: { total_overdraft_limit: 340.61 } }, 204);
    const { 'x-tenant': _t, ...noTenant } = h;
    const res = await app.http.inject({ method: 'PATCH', url: path, headers: noTenant, payload: { total_overdraft_limit: 1 } });
    expect(res.statusCode).toBe(400);
    expectConforms(LIMITS, { request: { method: 'PATCH', path, headers: noTenant, body: { total_overdraft_limit: 1 } }, response: res }, { request: false });
    await exchange(LIMITS, { method: 'PATCH', path: '/balances-limits/v1/accounts/99999999/limits', body: { total_credit_limit: 1 } }, 404);
  });
});
