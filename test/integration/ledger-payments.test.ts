// Money movement through the API: transfers (P2P, cash-in, cash-out as the spec's examples),
// declines that post nothing, tracking_id reuse, cancellation, holds and their expiry, limits.
// After everything, the ledger verifies.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDailyBalancesService } from '../../src/modules/ledger/daily-balances.service.js';
import { createHoldsService } from '../../src/modules/ledger/holds.service.js';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let a: TestAccount; // debit, overdraft 100
let b: TestAccount; // debit
let c: TestAccount; // credit, limit 500

const post = (url: string, payload: unknown, account?: number, extra: Record<string, string> = {}) =>
  app.http.inject({ method: 'POST', url, headers: { ...tenant.headers, ...(account ? { 'x-account-id': String(account) } : {}), ...extra }, payload: payload as object });
/** Decimal subtraction of two-place amounts, as the API answers them. */
const minus = (x: number, y: number) => Math.round((x - y) * 100) / 100;
const get = (url: string) => app.http.inject({ method: 'GET', url, headers: tenant.headers });

const cashIn = (account: number, amount: number) => ({
  from: [{ custom_info: { type: 'DEPOSIT' } }],
  to: [{ processing_code: '004000', amount, account: { id: account } }],
});
const p2p = (from: number, to: number, amount: number, extra: Record<string, unknown> = {}) => ({
  from: [{ processing_code: '002000', amount, account: { id: from } }],
  to: [{ processing_code: '004000', account: { id: to } }],
  ...extra,
});
const cashOut = (account: number, amount: number) => ({
  from: [{ processing_code: '002000', amount, account: { id: account } }],
  to: [{ custom_info: { type: 'WITHDRAWAL' }, beneficiary_id: '2c298321-bc21-4039-9c45-780cc6d4ec46' }],
});

async function limitsOf(account: number) {
  const res = await get(`/ledger/v1/accounts/${account}/limits`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ available_credit_limit: number; held_funds: number; total_credit_limit?: number; max_credit_limit?: number; total_overdraft_limit?: number }>();
}

async function entries(): Promise<number> {
  return app.platform.db.transaction(
    async (tx) => Number((await sql<{ n: string }>`select count(*) as n from ledger_journal_entries where org_id = ${tenant.org.orgId}`.execute(tx)).rows[0]!.n),
    { system: true },
  );
}

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  const credit = await createProgram(app, tenant, 'CREDITO');
  a = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 100 } });
  b = await createAccount(app, tenant, { program: debit });
  c = await createAccount(app, tenant, { program: credit });
});
afterAll(async () => app?.close());

describe('POST /payments/v1/payments', () => {
  it('cash-in, P2P and cash-out move balances; every account opened with its balance and limits', async () => {
    expect(await limitsOf(a.accountId)).toMatchObject({ available_credit_limit: 100, held_funds: 0, total_overdraft_limit: 100 });
    const res = await post('/payments/v1/payments', cashIn(a.accountId, 1000), a.accountId);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ authorization_ids: { credit: expect.any(Number) }, available_credit_limit: 1100, tracking_id: expect.any(String) });

    const t = await post('/payments/v1/payments', p2p(a.accountId, b.accountId, 12.34), a.accountId);
    expect(t.statusCode, t.body).toBe(201);
    expect(t.json().authorization_ids).toEqual({ credit: expect.any(Number), debit: expect.any(Number) });
    expect(t.json().available_credit_limit).toBe(1087.66);

    const out = await post('/payments/v1/payments', cashOut(b.accountId, 2.34), b.accountId);
    expect(out.statusCode, out.body).toBe(201);
    expect((await limitsOf(b.accountId)).available_credit_limit).toBe(10);

    const account = await get(`/accounts/v1/accounts/${a.accountId}`);
    expect(account.json()).toMatchObject({ current_balance: 987.66 });
  });

  it('declines past balance plus overdraft, and a credit account past its limit, posting nothing', async () => {
    const before = await entries();
    await expectError(await post('/payments/v1/payments', p2p(a.accountId, b.accountId, 1087.67), a.accountId), 400, 'WLDG0006');
    expect((await post('/payments/v1/payments', p2p(c.accountId, b.accountId, 400), c.accountId)).statusCode).toBe(201);
    await expectError(await post('/payments/v1/payments', p2p(c.accountId, b.accountId, 100.01), c.accountId), 400, 'WLDG0006');
    expect(await entries()).toBe(before + 1);
    expect(await limitsOf(c.accountId)).toMatchObject({ available_credit_limit: 100, total_credit_limit: 500, max_credit_limit: 1000 });
  });

  it("answers Pismo's documented refusals", async () => {
    const bad = (body: unknown, account: number) => post('/payments/v1/payments', body, account);
    await expectError(await bad({ ...p2p(a.accountId, b.accountId, 1), from: [{ processing_code: '004000', amount: 1, account: { id: a.accountId } }] }, a.accountId), 400, 'WP2P0005');
    await expectError(await bad({ ...p2p(a.accountId, b.accountId, 1), to: [{ processing_code: '002000', account: { id: b.accountId } }] }, a.accountId), 400, 'WP2P0006');
    await expectError(await bad({ ...p2p(a.accountId, b.accountId, 1), from: [{ processing_code: '999999', amount: 1, account: { id: a.accountId } }] }, a.accountId), 400, 'WP2P0003');
    await expectError(await bad(p2p(a.accountId, 99999999, 1), a.accountId), 400, 'WLDG0019');
    await expectError(await bad(p2p(a.accountId, b.accountId, 1.001), a.accountId), 400, 'WP2P0000');
    await expectError(await bad({ ...p2p(a.accountId, b.accountId, 1), from: [{ processing_code: '002000', amount: 1, account: { id: a.accountId }, currency: 'USD' }] }, a.accountId), 400, 'WP2P0000');
    await expectError(await bad(p2p(a.accountId, b.accountId, 1), b.accountId), 422, 'WP2P0000');
    await expectError(await bad(p2p(a.accountId, b.accountId, 1, { tracking_id: 'x'.repeat(51) }), a.accountId), 400, 'WP2P0019');
    await expectError(await bad({ from: [{ merchant: { id: 1 } }], to: [{ account: { id: b.accountId }, processing_code: '004000' }] }, b.accountId), 400, 'EP2P9999');
  });

  it('a reused tracking_id answers WP2P0010 with the first authorizations (208 with x-alt-conflict), posting nothing', async () => {
    const trackingId = '7c3b2c52-4b1f-4d2e-9f59-2c1a3e5f8b10';
    const first = await post('/payments/v1/payments', p2p(a.accountId, b.accountId, 1, { tracking_id: trackingId }), a.accountId);
    expect(first.statusCode, first.body).toBe(201);
    const before = await entries();
    const again = await post('/payments/v1/payments', p2p(a.accountId, b.accountId, 1, { tracking_id: trackingId }), a.accountId);
    await expectError(again, 409, 'WP2P0010');
    expect(again.json().authorizations).toHaveLength(2);
    const alt = await post('/payments/v1/payments', p2p(a.accountId, b.accountId, 1, { tracking_id: trackingId }), a.accountId, { 'x-alt-conflict': 'true' });
    expect(alt.statusCode).toBe(208);
    expect(alt.json()).toMatchObject({ code: 'WP2P0010', authorizations: [{ response_code: '00', amount: 1 }, { response_code: '00', amount: 1 }] });
    expect(await entries()).toBe(before);
  });

  it('without tracking_id, an Idempotency-Key replays the first answer', async () => {
    const key = { 'idempotency-key': 'pay-once-1' };
    const one = await post('/payments/v1/payments', cashIn(b.accountId, 5), b.accountId, key);
    const two = await post('/payments/v1/payments', cashIn(b.accountId, 5), b.accountId, key);
    expect(two.statusCode).toBe(201);
    expect(two.json()).toEqual(one.json());
  });
});

describe('POST /payments/v2/cancel', () => {
  it('reverses a whole transfer with the reversal codes; a second cancel is 208 AMON0004', async () => {
    const trackingId = '0b6f7f0e-2a55-4a8f-9f43-6f1f2c4c9d01';
    const before = [await limitsOf(a.accountId), await limitsOf(b.accountId)];
    expect((await post('/payments/v1/payments', p2p(a.accountId, b.accountId, 50, { tracking_id: trackingId }), a.accountId)).statusCode).toBe(201);
    const res = await post('/payments/v2/cancel', { original_tracking_id: trackingId, amount: 50 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().authorization_ids).toEqual({ credit: expect.any(Number), debit: expect.any(Number) });
    expect([await limitsOf(a.accountId), await limitsOf(b.accountId)]).toEqual(before);
    const twice = await post('/payments/v2/cancel', { original_tracking_id: trackingId, amount: 50 });
    expect(twice.statusCode).toBe(208);
    expect(twice.json().code).toBe('AMON0004');
  });
});

describe('hold funds', () => {
  it('block holds funds against the balance; unblock, transfer and transfer cancel move them', async () => {
    const base = (await limitsOf(a.accountId)).available_credit_limit;
    const block = (tracking_id: string, amount: number) => post('/payments/v1/payments/hold-funds/block', { tracking_id, account_id: a.accountId, amount, processing_code: '002000' });
    expect((await block('hold-1', 100)).statusCode).toBe(201);
    expect(await limitsOf(a.accountId)).toMatchObject({ available_credit_limit: minus(base, 100), held_funds: 100 });
    await expectError(await block('hold-big', base), 400, 'WLDG0006');

    const unblock = await post('/payments/v1/payments/hold-funds/unblock', { tracking_id: 'hold-1', account_id: a.accountId, amount: 40, processing_code: '004000' });
    expect(unblock.statusCode, unblock.body).toBe(201);
    expect(await limitsOf(a.accountId)).toMatchObject({ available_credit_limit: minus(base, 60), held_funds: 60 });

    const transfer = await post('/payments/v1/payments/hold-funds/transfer', { tracking_id: 'hold-1', account_id: a.accountId, amount: 60, processing_code: '002000' });
    expect(transfer.statusCode, transfer.body).toBe(201);
    expect(await limitsOf(a.accountId)).toMatchObject({ available_credit_limit: minus(base, 60), held_funds: 0 });

    const undo = await post('/payments/v1/payments/hold-funds/transfer/cancel', {
      tracking_id: 'hold-1-cancel',
      original_tracking_id: 'hold-1',
      account_id: a.accountId,
      amount: 60,
      processing_code: '004000',
    });
    expect(undo.statusCode, undo.body).toBe(201);
    expect(await limitsOf(a.accountId)).toMatchObject({ available_credit_limit: minus(base, 60), held_funds: 60 });
    await expectError(await post('/payments/v1/payments/hold-funds/unblock', { tracking_id: 'nope', account_id: a.accountId, amount: 1, processing_code: '004000' }), 404, 'WP2P0004');
  });

  it('holds past their last day are released at the end of the day', async () => {
    const holds = createHoldsService(app.platform);
    const released = await app.platform.tenant({ orgId: tenant.org.orgId, cid: 'test', actor: 'test' }, (t) => holds.expire(t, '9999-12-31'));
    expect(released).toBe(1);
    expect((await limitsOf(a.accountId)).held_funds).toBe(0);
  });
});

describe('limits', () => {
  it('PATCH /ledger/v1 and /balances-limits/v1 change limits under the rules; spending follows', async () => {
    const patch = (url: string, body: unknown, headers = tenant.headers) => app.http.inject({ method: 'PATCH', url, headers, payload: body as object });
    expect((await patch(`/ledger/v1/accounts/${c.accountId}/limits`, { total_credit_limit: 800 })).statusCode).toBe(204);
    expect((await limitsOf(c.accountId)).available_credit_limit).toBe(400);
    await expectError(await patch(`/ledger/v1/accounts/${c.accountId}/limits`, { total_credit_limit: 1000.01 }), 400, 'WLDG0025');
    await expectError(await patch(`/ledger/v1/accounts/99999999/limits`, { total_credit_limit: 1 }), 404, 'WLDG0022');
    await expectError(await get(`/ledger/v1/accounts/abc/limits`), 400, 'WLDG0020');
    const { 'x-tenant': _t, ...noTenant } = tenant.headers;
    expect((await patch(`/balances-limits/v1/accounts/${c.accountId}/limits`, { max_credit_limit: 2000 }, noTenant)).statusCode).toBe(400);
    expect((await patch(`/balances-limits/v1/accounts/${c.accountId}/limits`, { max_credit_limit: 2000 })).statusCode).toBe(204);
    expect((await limitsOf(c.accountId)).max_credit_limit).toBe(2000);
  });

  it('the ledger verifies after all of it', async () => {
    const res = await get('/lastro/v1/ledger/verify');
    expect(res.json()).toMatchObject({ ok: true, differences: [] });
    expect(res.json().accounts_checked).toBe(3);
  });
});

describe('GET /transactions-core/v2/transactions', () => {
  const list = (account: number, query: string) =>
    app.http.inject({ method: 'GET', url: `/transactions-core/v2/transactions?${query}`, headers: { ...tenant.headers, 'x-account-id': String(account) } });

  it("lists the account's transactions in the program's dates, newest first, paged; one by id", async () => {
    const res = await list(a.accountId, `eventDateStart=2000-01-01T00:00:00Z&eventDateEnd=2000-03-30&pageSize=2`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ has_next: false, items: [] });
    const start = new Date(app.clock.now().getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
    const page = await list(a.accountId, `eventDateStart=${start}&pageSize=2`);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().has_next).toBe(true);
    const [first] = page.json().items;
    expect(first).toMatchObject({ account_id: a.accountId, amount: [{ type: 'PRINCIPAL', currency: 'BRL' }], authorization: { type: 'PLATFORM' } });
    const credits = await list(a.accountId, `eventDateStart=${start}&credit=true&processingCode=004000&pageSize=1000`);
    expect(credits.json().items.every((t: { transaction_type: { credit: boolean } }) => t.transaction_type.credit)).toBe(true);
    const one = await app.http.inject({ method: 'GET', url: `/transactions-core/v2/transactions/${first.id}`, headers: { ...tenant.headers, 'x-account-id': String(a.accountId) } });
    expect(one.json()).toEqual(first);
    const other = await app.http.inject({ method: 'GET', url: `/transactions-core/v2/transactions/${first.id}`, headers: { ...tenant.headers, 'x-account-id': String(b.accountId) } });
    await expectError(other, 404, 'WTRC01001');
  });

  it('refuses a range past 90 days, no eventDateStart without an authorization filter, and bad pages', async () => {
    await expectError(await list(a.accountId, 'eventDateStart=2026-01-01&eventDateEnd=2026-04-02'), 400, 'WTRC00001');
    await expectError(await list(a.accountId, ''), 400, 'WTRC00003');
    await expectError(await list(a.accountId, 'eventDateStart=2026-01-01&pageSize=1001'), 400, 'WTRC00001');
    await expectError(await list(a.accountId, 'eventDateStart=yesterday'), 400, 'WTRC00001');
  });
});

describe('GET /balances-limits/v1/accounts/{accountId}/daily-balances', () => {
  it('answers the balances the end-of-day handler recorded, at most 90 days before today', async () => {
    const today = await app.platform.tenant({ orgId: tenant.org.orgId, cid: 'test', actor: 'test' }, (t) => t.dates.today());
    const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
    const handler = createDailyBalancesService(app.platform).dayHandler();
    await app.platform.tenant({ orgId: tenant.org.orgId, cid: 'test', actor: 'day:ledger.daily-balances' }, (t) =>
      handler.handle({ t, date: yesterday, programId: null, programs: async () => [BigInt(a.programId), BigInt(c.programId)] }),
    );
    const res = await get(`/balances-limits/v1/accounts/${a.accountId}/daily-balances`);
    expect(res.statusCode, res.body).toBe(200);
    const limits = await limitsOf(a.accountId);
    expect(res.json()).toMatchObject({
      pages: 1,
      current_page: 1,
      per_page: 10,
      total_items: 1,
      items: [{ account_id: a.accountId, org_id: tenant.org.orgId, ref_date: yesterday, available_credit_limit: limits.available_credit_limit, held_funds: 0, currency_code: 'BRL' }],
    });
    expect((await get(`/balances-limits/v1/accounts/${b.accountId}/daily-balances?endDate=${yesterday}`)).json().total_items).toBe(1);
    await expectError(await get(`/balances-limits/v1/accounts/${a.accountId}/daily-balances?endDate=${today}`), 400, 'VALIDATION_ERROR', 'query.endDate');
    await expectError(await get(`/balances-limits/v1/accounts/${a.accountId}/daily-balances?beginDate=2020-01-01&endDate=${yesterday}`), 400, 'VALIDATION_ERROR', 'query.beginDate');
    await expectError(await get('/balances-limits/v1/accounts/99999999/daily-balances'), 404, 'WLDG0022');
  });
});
