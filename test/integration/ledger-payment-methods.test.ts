// Payment methods v2 payments through the API: cash-in and cash-out, denials that answer their
// codes and post nothing, tracking_id repeats, pre-authorizations confirmed (less, more) or
// cancelled (released), partial and whole cancellations of posted ones. Afterwards the ledger verifies.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let a: TestAccount; // debit, overdraft 100
let b: TestAccount; // debit, no overdraft

const BASE = '/payment-methods/v2/payments';
let n = 0;
/** A fresh tracking id (36 characters, as Pismo's minimum). */
const tid = () => `00000000-0000-4000-8000-${String((n += 1)).padStart(12, '0')}`;

const post = (url: string, payload: unknown, account: number) =>
  app.http.inject({ method: 'POST', url, headers: { ...tenant.headers, 'x-account-id': String(account) }, payload: payload as object });
const get = (url: string, account?: number) =>
  app.http.inject({ method: 'GET', url, headers: { ...tenant.headers, ...(account ? { 'x-account-id': String(account) } : {}) } });
const pay = (account: TestAccount, amount: number, code: string, extra: Record<string, unknown> = {}) => ({
  account_id: account.accountId,
  amount,
  processing_code: code,
  tracking_id: tid(),
  ...extra,
});

async function limitsOf(account: TestAccount) {
  const res = await get(`/ledger/v1/accounts/${account.accountId}/limits`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ available_credit_limit: number; held_funds: number }>();
}

const count = (table: 'ledger_journal_entries' | 'ledger_transactions') =>
  app.platform.db.transaction(
    async (tx) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where org_id = ${tenant.org.orgId}`.execute(tx)).rows[0]!.n),
    { system: true },
  );

const eventsOf = (domain: string) =>
  app.platform.db.transaction(
    (tx) => tx.selectFrom('event_outbox_events').select(['event_type', 'data']).where('org_id', '=', tenant.org.orgId).where('domain', '=', domain).orderBy('seq').execute(),
    { system: true },
  );

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  a = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 100 } });
  b = await createAccount(app, tenant, { program: debit });
});
afterAll(async () => app?.close());

describe('POST /payment-methods/v2/payments', () => {
  it('a cash-in (credit code) and a cash-out (debit code) post and answer 00, with their events and transactions', async () => {
    const cashIn = pay(a, 500, '219803');
    const res = await post(BASE, cashIn, a.accountId);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ tracking_id: cashIn.tracking_id, account_id: a.accountId, amount: 500, response_code: '00', authorization_id: expect.any(Number) });
    expect(res.json().denial_code).toBeUndefined();
    expect(res.json().validation_results.map((r: { name: string; status: string }) => `${r.name}:${r.status}`)).toContain('AUTHORIZATION:APPROVED');
    expect((await limitsOf(a)).available_credit_limit).toBe(600);

    const out = await post(BASE, pay(a, 20.5, '002000'), a.accountId);
    expect(out.statusCode, out.body).toBe(201);
    expect(out.json().response_code).toBe('00');
    expect((await limitsOf(a)).available_credit_limit).toBe(579.5);

    const platform = await eventsOf('platform-authorization');
    expect(platform.map((e) => [e.event_type, (e.data as { category: string }).category, (e.data as { contract_amount: number }).contract_amount])).toEqual([
      ['platform-authorization', 'AUTHORIZATION', 500],
      ['platform-authorization', 'AUTHORIZATION', 20.5],
    ]);
    expect((platform[0]!.data as { code: string }).code).toMatch(/^[0-9A-Z]{6}$/);
    const authEvents = await eventsOf('authorization');
    expect(authEvents.map((e) => (e.data as { operation: string }).operation)).toEqual(['PM_AUTHORIZATION', 'PM_AUTHORIZATION']);
    const tx = await get(`/transactions-core/v2/transactions?authorizationTrackingId=${cashIn.tracking_id}`, a.accountId);
    expect(tx.json().items).toMatchObject([{ processing_code: '219803', amount: [{ value: 500 }], transaction_type: { credit: true } }]);
  });

  it('the same tracking_id and body answers 200 with the first answer and posts nothing; another body is 409 WONP0003', async () => {
    const body = pay(a, 3, '002000');
    const first = await post(BASE, body, a.accountId);
    expect(first.statusCode).toBe(201);
    const entries = await count('ledger_journal_entries');
    const again = await post(BASE, body, a.accountId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await count('ledger_journal_entries')).toBe(entries);
    expectError(await post(BASE, { ...body, amount: 4 }, a.accountId), 409, 'WONP0003');
    // A tracking id of a cash-out cannot name a confirmation either.
    expectError(await post(`${BASE}/confirm`, { tracking_id: body.tracking_id, original_tracking_id: body.tracking_id }, a.accountId), 409, 'WONP0003');
  });

  it('a cash-out past balance plus overdraft is denied 51/DAL, posts nothing, and a repeat answers the same denial', async () => {
    const before = await limitsOf(a);
    const entries = await count('ledger_journal_entries');
    const body = pay(a, before.available_credit_limit + 0.01, '002000');
    const res = await post(BASE, body, a.accountId);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ response_code: '51', denial_code: 'DAL' });
    expect(res.json().validation_results).toContainEqual(
      expect.objectContaining({ name: 'LEDGER', status: 'REJECTED', reason: 'LEDGER_INSUFFICIENT_FUNDS', additional_data: expect.objectContaining({ response_code: '51' }) }),
    );
    expect(await count('ledger_journal_entries')).toBe(entries);
    expect(await limitsOf(a)).toEqual(before);
    const again = await post(BASE, body, a.accountId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(res.json());
    const denied = (await eventsOf('platform-authorization')).at(-1)!.data as { category: string; response_code: string; denial_reason: string };
    expect(denied).toMatchObject({ category: 'DENIED', response_code: '51', denial_reason: 'LEDGER_INSUFFICIENT_FUNDS' });

    // validation_rules set the codes a denial answers, or disable the rule.
    const custom = await post(
      BASE,
      pay(b, 1, '002000', { validation_rules: { LEDGER: { denial_reasons: { LEDGER_INSUFFICIENT_FUNDS: { response_code: '61', denial_code: 'XYZ' } } } } }),
      b.accountId,
    );
    expect(custom.json()).toMatchObject({ response_code: '61', denial_code: 'XYZ' });
    const forced = await post(BASE, pay(b, 1, '002000', { validation_rules: { LEDGER: { disable: true } } }), b.accountId);
    expect(forced.json()).toMatchObject({ response_code: '00' });
    expect((await limitsOf(b)).available_credit_limit).toBe(0);
    await post(BASE, pay(b, 1, '219803'), b.accountId);
  });

  it("an account whose status permits no debits is denied 57; an unknown or zero-impact code 12; another account's body 400 WONB0001", async () => {
    const program = await createProgram(app, tenant, 'DEBITO');
    const blocked = await createAccount(app, tenant, { program, account: { overdraft_limit: 50 } });
    const status = await app.http.inject({ method: 'PATCH', url: `/accounts/v2/accounts/${blocked.accountId}/status`, headers: tenant.headers, payload: { status: 'BLOCKED' } });
    expect(status.statusCode, status.body).toBeLessThan(300);
    const res = await post(BASE, pay(blocked, 1, '002000'), blocked.accountId);
    expect(res.json()).toMatchObject({ response_code: '57', denial_code: 'DAL' });
    expect(res.json().validation_results).toContainEqual(expect.objectContaining({ name: 'ACCOUNT_STATUS', status: 'REJECTED' }));
    expect((await post(BASE, pay(a, 1, 'ZZZ999'), a.accountId)).json()).toMatchObject({ response_code: '12', denial_code: 'DAL' });
    expectError(await post(BASE, pay(b, 1, '002000'), a.accountId), 400, 'WONB0001');
  });

  it('answers 400 naming the field for a short tracking_id, too many decimals, another currency or a future payment date', async () => {
    expectError(await post(BASE, { ...pay(a, 1, '002000'), tracking_id: 'short' }, a.accountId), 400, 'VALIDATION_ERROR', 'body.tracking_id');
    const decimals = await post(BASE, pay(a, 1.001, '002000'), a.accountId);
    expectError(decimals, 400, 'WONP0001');
    expect(decimals.json().violations).toHaveProperty('amount');
    expect((await post(BASE, pay(a, 1, '002000', { currency_code: 'USD' }), a.accountId)).json().violations).toHaveProperty('currency_code');
    expectError(await post(BASE, pay(a, 1, '002000', { payment_datetime: '2999-01-01T00:00:00.000Z' }), a.accountId), 400, 'WONP0001');
  });
});

describe('pre-authorization, confirm and cancel', () => {
  it('a pre-authorized cash-out holds the amount; confirming less posts that and releases the rest; it cannot be confirmed twice', async () => {
    const before = await limitsOf(a);
    const auth = pay(a, 50, '002000', { pre_authorization: true });
    expect((await post(BASE, auth, a.accountId)).json().response_code).toBe('00');
    expect(await limitsOf(a)).toMatchObject({ held_funds: before.held_funds + 50, available_credit_limit: before.available_credit_limit - 50 });
    const transactions = await count('ledger_transactions');

    const confirm = { tracking_id: tid(), original_tracking_id: auth.tracking_id, amount: 30 };
    const res = await post(`${BASE}/confirm`, confirm, a.accountId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ response_code: '00', amount: 30 });
    expect(await limitsOf(a)).toMatchObject({ held_funds: before.held_funds, available_credit_limit: before.available_credit_limit - 30 });
    expect(await count('ledger_transactions')).toBe(transactions + 1);
    expect((await eventsOf('platform-authorization')).at(-1)!.data).toMatchObject({ category: 'CONFIRMATION', original_tracking_id: auth.tracking_id });

    expect((await post(`${BASE}/confirm`, confirm, a.accountId)).statusCode).toBe(200);
    expectError(await post(`${BASE}/confirm`, { ...confirm, tracking_id: tid() }, a.accountId), 400, 'WONP0010');
    // Then cancelling it reverses the confirmed amount.
    const cancel = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: auth.tracking_id }, a.accountId);
    expect(cancel.json()).toMatchObject({ response_code: '00', amount: 30 });
    expect((await limitsOf(a)).available_credit_limit).toBe(before.available_credit_limit);
  });

  it('confirming more than held spends the difference, checked against the limit', async () => {
    await post(BASE, pay(b, 100, '219803'), b.accountId);
    const before = await limitsOf(b);
    const auth = pay(b, 10, '002000', { pre_authorization: true });
    expect((await post(BASE, auth, b.accountId)).json().response_code).toBe('00');
    const denied = await post(`${BASE}/confirm`, { tracking_id: tid(), original_tracking_id: auth.tracking_id, amount: before.available_credit_limit + 1 }, b.accountId);
    expect(denied.statusCode).toBe(200);
    expect(denied.json()).toMatchObject({ response_code: '51', denial_code: 'DAL' });
    expect((await limitsOf(b)).held_funds).toBe(10);
    const more = await post(`${BASE}/confirm`, { tracking_id: tid(), original_tracking_id: auth.tracking_id, amount: 12 }, b.accountId);
    expect(more.json()).toMatchObject({ response_code: '00', amount: 12 });
    expect(await limitsOf(b)).toMatchObject({ held_funds: 0, available_credit_limit: before.available_credit_limit - 12 });
  });

  it('cancelling a pending pre-authorization releases the hold, and it can no longer be confirmed', async () => {
    const before = await limitsOf(a);
    const auth = pay(a, 40, '002000', { pre_authorization: true });
    await post(BASE, auth, a.accountId);
    const part = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: auth.tracking_id, amount: 15 }, a.accountId);
    expect(part.statusCode, part.body).toBe(201);
    expect((await limitsOf(a)).held_funds).toBe(before.held_funds + 25);
    const rest = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: auth.tracking_id }, a.accountId);
    expect(rest.json()).toMatchObject({ response_code: '00', amount: 25 });
    expect(await limitsOf(a)).toEqual(before);
    expectError(await post(`${BASE}/confirm`, { tracking_id: tid(), original_tracking_id: auth.tracking_id }, a.accountId), 400, 'WONP0010');
    const none = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: auth.tracking_id }, a.accountId);
    expect(none.json()).toMatchObject({ response_code: '57', denial_code: 'PRC' });
    expect(none.json().validation_results).toContainEqual(expect.objectContaining({ name: 'REMAINING_CANCELLATION_BALANCE', reason: 'AUTHORIZATION_ALREADY_CANCELLED' }));
  });

  it('a pre-authorized cash-in moves nothing until confirmed; a cash-out that was not pre-authorized cannot be confirmed', async () => {
    const before = await limitsOf(b);
    const auth = pay(b, 7, '219803', { pre_authorization: true });
    await post(BASE, auth, b.accountId);
    expect(await limitsOf(b)).toEqual(before);
    const res = await post(`${BASE}/confirm`, { tracking_id: tid(), original_tracking_id: auth.tracking_id }, b.accountId);
    expect(res.json()).toMatchObject({ response_code: '00', amount: 7 });
    expect((await limitsOf(b)).available_credit_limit).toBe(before.available_credit_limit + 7);
    const direct = pay(b, 1, '002000');
    await post(BASE, direct, b.accountId);
    expectError(await post(`${BASE}/confirm`, { tracking_id: tid(), original_tracking_id: direct.tracking_id }, b.accountId), 400, 'WONP0010');
    expectError(await post(`${BASE}/confirm`, { tracking_id: tid(), original_tracking_id: tid() }, b.accountId), 404, 'WONP0009');
    // Another account's authorization is not found either.
    expectError(await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: direct.tracking_id }, a.accountId), 404, 'WONP0009');
  });

  it('cancels a posted cash-out in parts with reversal codes; more than is left is denied 57/PRC; a spent cash-in 51', async () => {
    const before = await limitsOf(a);
    const out = pay(a, 20, '002000');
    await post(BASE, out, a.accountId);
    const part = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: out.tracking_id, amount: 5 }, a.accountId);
    expect(part.statusCode).toBe(201);
    expect((await eventsOf('platform-authorization')).at(-1)!.data).toMatchObject({ category: 'PARTIAL_CANCELLATION' });
    const tx = await get(`/transactions-core/v2/transactions?authorizationId=${part.json().authorization_id}`, a.accountId);
    expect(tx.json().items).toMatchObject([{ processing_code: 'PSMR30', transaction_type: { credit: true }, amount: [{ value: 5 }] }]);
    const tooMuch = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: out.tracking_id, amount: 15.01 }, a.accountId);
    expect(tooMuch.json()).toMatchObject({ response_code: '57', denial_code: 'PRC' });
    const last = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: out.tracking_id, amount: 15 }, a.accountId);
    expect(last.json(), last.body).toMatchObject({ response_code: '00', amount: 15 });
    expect((await limitsOf(a)).available_credit_limit).toBe(before.available_credit_limit);

    const inB = pay(b, 30, '219803');
    await post(BASE, inB, b.accountId);
    await post(BASE, pay(b, (await limitsOf(b)).available_credit_limit, '002000'), b.accountId);
    const entries = await count('ledger_journal_entries');
    const spent = await post(`${BASE}/cancel`, { tracking_id: tid(), original_tracking_id: inB.tracking_id }, b.accountId);
    expect(spent.json()).toMatchObject({ response_code: '51', denial_code: 'DAL' });
    expect(await count('ledger_journal_entries')).toBe(entries);
  });

  it('leaves a ledger that verifies', async () => {
    const res = await get('/lastro/v1/ledger/verify');
    expect(res.json()).toMatchObject({ ok: true, differences: [] });
  });
});
