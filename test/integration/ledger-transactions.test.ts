// GET /transactions-core/v2/transactions: the spec's filters beyond dates and codes — ids,
// authorization ids and type, transaction type, statement posting, customer, statement,
// numberOfLatestTransactions — each narrowing the account's transactions, and refused with
// WTRC00001 naming the field where the spec says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createProgram, type TestAccount } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let a: TestAccount;
let other: TestAccount;
let all: { id: number; processing_code: string; transaction_type: { id: number; credit: boolean }; authorization: { id: number } }[];

const list = (query: string, account = a) =>
  app.http.inject({ method: 'GET', url: `/transactions-core/v2/transactions?${query}`, headers: { ...tenant.headers, 'x-account-id': String(account.accountId) } });
const ids = async (query: string) => {
  const res = await list(query);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: { id: number }[] }>().items.map((t) => t.id);
};

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  const debit = await createProgram(app, tenant, 'DEBITO');
  a = await createAccount(app, tenant, { program: debit });
  other = await createAccount(app, tenant, { program: debit });
  const pay = (amount: number, code: string) =>
    app.http.inject({
      method: 'POST',
      url: '/payment-methods/v2/payments',
      headers: { ...tenant.headers, 'x-account-id': String(a.accountId) },
      payload: { account_id: a.accountId, amount, processing_code: code, tracking_id: `7c3b2c52-4b1f-4d2e-9f59-${String(amount * 100).padStart(12, '0')}` },
    });
  for (const [amount, code] of [[100, '219803'], [10, '002000'], [20, '004000'], [5, '002000']] as const) expect((await pay(amount, code)).json().response_code).toBe('00');
  all = (await list(`eventDateStart=${new Date(app.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10)}`)).json().items;
  expect(all).toHaveLength(4);
});
afterAll(async () => app?.close());

describe('GET /transactions-core/v2/transactions filters', () => {
  it('id and ids (repeated or separated by commas) need no dates', async () => {
    const [t1, t2, t3] = all;
    expect(await ids(`id=${t1!.id}`)).toEqual([t1!.id]);
    expect((await ids(`ids=${t1!.id}&ids=${t3!.id}`)).sort()).toEqual([t1!.id, t3!.id].sort());
    expect((await ids(`ids=${t2!.id},${t3!.id}`)).sort()).toEqual([t2!.id, t3!.id].sort());
    expect(await ids(`ids=${t1!.id}`)).toHaveLength(1);
    expect(await ids(`ids=99999999`)).toEqual([]);
  });

  it('authorizationIds and authorizationType', async () => {
    const [t1, , t3] = all;
    expect((await ids(`authorizationIds=${t1!.authorization.id},${t3!.authorization.id}`)).sort()).toEqual([t1!.id, t3!.id].sort());
    expect(await ids(`authorizationIds=${t1!.authorization.id}&authorizationType=PLATFORM`)).toEqual([t1!.id]);
    expect(await ids(`authorizationIds=${t1!.authorization.id}&authorizationType=NETWORK`)).toEqual([]);
    expectError(await list(`authorizationIds=${t1!.authorization.id}&authorizationType=OTHER`), 400, 'WTRC00001', 'query.authorizationType');
  });

  it("transactionTypeId and statementPost follow the transaction's type", async () => {
    const debitType = all.find((t) => t.processing_code === '002000')!.transaction_type.id;
    const since = `eventDateStart=${new Date(app.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10)}`;
    const debits = all.filter((t) => t.processing_code === '002000').map((t) => t.id).sort();
    expect((await ids(`${since}&transactionTypeId=${debitType}`)).sort()).toEqual(debits);
    expect(await ids(`${since}&transactionTypeId=999999`)).toEqual([]);
    expect(await ids(`${since}&statementPost=true`)).toHaveLength(4);
    expect(await ids(`${since}&statementPost=false`)).toEqual([]);
  });

  it("customerId: the account's own customer sees its transactions, another account's customer none; statementId, userCategory and paymentMethodId match none", async () => {
    const since = `eventDateStart=${new Date(app.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10)}`;
    expect(await ids(`${since}&customerId=${a.customerId}`)).toHaveLength(4);
    expect(await ids(`${since}&customerId=${other.customerId}`)).toEqual([]);
    expect(await ids('statementId=12345')).toEqual([]);
    expect(await ids(`${since}&userCategory=VIP`)).toEqual([]);
    expect(await ids(`${since}&paymentMethodId=pm-1`)).toEqual([]);
    expectError(await list(`${since}&customerId=abc`), 400, 'VALIDATION_ERROR', 'query.customerId');
  });

  it('numberOfLatestTransactions answers the latest, without dates, and refuses other filters and bad ranges', async () => {
    const newest = [...all].sort((x, y) => y.id - x.id);
    const res = await list('numberOfLatestTransactions=2&pageSize=1');
    expect(res.json()).toMatchObject({ has_next: false });
    expect(res.json().items.map((t: { id: number }) => t.id)).toEqual(newest.slice(0, 2).map((t) => t.id));
    expectError(await list('numberOfLatestTransactions=2&processingCode=002000'), 400, 'WTRC00001', 'query.processingCode');
    expectError(await list('numberOfLatestTransactions=0'), 400, 'WTRC00001', 'query.numberOfLatestTransactions');
    expectError(await list('numberOfLatestTransactions=501'), 400, 'WTRC00001', 'query.numberOfLatestTransactions');
  });

  it('still needs eventDateStart without a keyed filter', async () => {
    expectError(await list('processingCode=002000'), 400, 'WTRC00003');
    expectError(await list('customerId=1'), 400, 'WTRC00003');
  });
});
