// An account's customers, addresses and phones under concurrency and account tokens, on both
// engines: racing customers of one document, racing owner changes, racing phone numbers, and an
// account token that reaches its own account's customers only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, createProgram, newDocumentNumber, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { bearer, tokenFor } from '../helpers/auth.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let program: TestProgram;

const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, headers = tenant.headers) =>
  app.http.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const customer = (accountId: number, documentNumber = newDocumentNumber(), isOwner = false) => ({
  account_id: accountId,
  entity: { name: `Customer ${documentNumber}`, document_number: documentNumber },
  customer: { is_owner: isOwner },
});

describe('customers, addresses and phones', () => {
  beforeAll(async () => {
    ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
    program = await createProgram(app, tenant, 'CREDITO');
  });
  afterAll(async () => app?.close());

  it('racing customers of one document: one 201, the others 409, one customer', async () => {
    const acc = await createAccount(app, tenant, { program });
    const doc = newDocumentNumber();
    const answers = await Promise.all(Array.from({ length: 6 }, () => call('POST', '/accounts/v2/customers', customer(acc.accountId, doc))));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of answers.filter((a) => a.statusCode === 409)) expectError(r, 409, 'CUSTOMER_ALREADY_EXISTS');
    const list = (await call('GET', `/accounts/v2/accounts/${acc.accountId}/customers?perPage=200`)).json();
    expect(list.items).toHaveLength(2);
  });

  it('racing owner changes: the account ends with exactly one owner, the one it names', async () => {
    const acc = await createAccount(app, tenant, { program });
    const created = await Promise.all(Array.from({ length: 4 }, () => call('POST', '/accounts/v2/customers', customer(acc.accountId))));
    const ids: number[] = created.map((r) => r.json().customer_id);
    const changes = await Promise.all(
      ids.map((id) => call('PATCH', `/accounts/v1/accounts/${acc.accountId}/customers/${id}/detail`, { is_owner: true })),
    );
    expect(changes.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    const owners = (await call('GET', `/accounts/v2/accounts/${acc.accountId}/customers?isOwner=true`)).json().items;
    expect(owners).toHaveLength(1);
    const account = (await call('GET', `/accounts/v1/accounts/${acc.accountId}`)).json();
    expect(account.customer_id).toBe(owners[0].customer.id);
    const owner = (await call('GET', `/accounts/v2/customers/${owners[0].customer.id}`)).json();
    expect(account.document_number).toBe(owner.entity.document_number);
  });

  it('a new owner whose document owns another account of the program: 409, nothing changes', async () => {
    const first = await createAccount(app, tenant, { program });
    const second = await createAccount(app, tenant, { program });
    const res = await call('POST', '/accounts/v2/customers', customer(second.accountId, first.documentNumber, true));
    expectError(res, 409, 'ACCOUNT_ALREADY_CREATED');
    const list = (await call('GET', `/accounts/v2/accounts/${second.accountId}/customers`)).json();
    expect(list.items.map((i: { customer: { id: number } }) => i.customer.id)).toEqual([second.customerId]);
    expect((await call('GET', `/accounts/v1/accounts/${second.accountId}`)).json().document_number).toBe(second.documentNumber);
  });

  it('racing phones of one number: one created, the others 409', async () => {
    const acc = await createAccount(app, tenant, { program });
    const phone = { number: '555-7777', type: 'MOBILE', area_code: 11, country_code: '55' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/accounts/v1/accounts/${acc.accountId}/phones`, phone)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409, 409, 409, 409]);
    expect((await call('GET', `/accounts/v1/accounts/${acc.accountId}/phones`)).json()).toHaveLength(1);
  });

  it("an account token reaches its own account's customers, addresses and phones, no other's", async () => {
    const own = await createAccount(app, tenant, { program });
    const other = await createAccount(app, tenant, { program });
    const token = bearer(await tokenFor(app, tenant.org, own.accountId), tenant.org.orgId);
    expect((await call('GET', `/accounts/v2/accounts/${own.accountId}/customers`, undefined, token)).statusCode).toBe(200);
    const address = { type: 'RESIDENTIAL', address: 'Main St', number: '1', zip_code: '1', city: 'C', state: 'S', country: 'BRA', neighborhood: 'N' };
    expect((await call('POST', `/accounts/v1/accounts/${own.accountId}/addresses`, address, token)).statusCode).toBe(201);
    expectError(await call('GET', `/accounts/v2/accounts/${other.accountId}/customers`, undefined, token), 403, 'ACCOUNT_MISMATCH');
    expectError(await call('POST', `/accounts/v1/accounts/${other.accountId}/phones`, { number: '1', type: 'MOBILE' }, token), 403, 'ACCOUNT_MISMATCH');
    // Customer routes without an account in the path are org-wide: an account token is refused.
    expect((await call('GET', `/accounts/v2/customers/${own.customerId}`, undefined, token)).statusCode).toBe(403);
  });

  it('a bad field answers 400 naming it and writes nothing', async () => {
    const acc = await createAccount(app, tenant, { program });
    const res = await call('POST', `/accounts/v1/accounts/${acc.accountId}/addresses`, { type: 'HOME', address: 'x', number: '1234567890', zip_code: '1', city: 'c', state: 's', country: 'c', neighborhood: 'n' });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { field: string }) => d.field).sort()).toEqual(['body.number', 'body.type']);
    expect((await call('GET', `/accounts/v1/accounts/${acc.accountId}/addresses`)).json()).toEqual([]);
  });
});
