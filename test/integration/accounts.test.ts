// Accounts API: applications (submitted and prospects, every rule that spans fields, the
// one-account-per-document rule), Get account, statuses, and what the ledger reads (accountFacts).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountFacts } from '../../src/modules/accounts/index.js';
import { createAccount, createProgram, newDocumentNumber, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, addTenant, setupTenant, type Tenant } from '../helpers/fixture.js';

let app: TestApp;
let tenant: Tenant;
let credit: TestProgram;
let debit: TestProgram;

const post = (url: string, payload: unknown, headers = tenant.headers) =>
  app.http.inject({ method: 'POST', url, headers, payload: payload as object });
const get = (url: string, headers = tenant.headers) => app.http.inject({ method: 'GET', url, headers });

const application = (overrides: Record<string, unknown> = {}, applicant: Record<string, unknown> = {}) => ({
  application: {
    submit: true,
    program_id: credit.programId,
    due_date: credit.dueDateIds[0],
    applicant: {
      document_number: newDocumentNumber(),
      birth_date: '1980-01-31',
      personal: { name: 'John Doe', email: 'john.doe@example.com' },
      account: { granted_limit: 1000, limit: 500 },
      ...applicant,
    },
    ...overrides,
  },
});

const fields = (res: { json(): { details?: { field: string }[] } }) => (res.json().details ?? []).map((d) => d.field);

async function count(table: string): Promise<number> {
  return app.platform.db.transaction(async (tx) => {
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(tx);
    return Number(r.rows[0]!.n);
  }, { system: true });
}

beforeAll(async () => {
  ({ app, ...tenant } = await setupTenant({ env: NO_RATE_LIMITS }));
  credit = await createProgram(app, tenant, 'CREDITO');
  debit = await createProgram(app, tenant, 'DEBITO');
});
afterAll(async () => app?.close());

describe('POST /acquisitions/v3/s2s/applications', () => {
  it("opens the spec example's account: owner customer and entity, status NORMAL, limits in the currency", async () => {
    const res = await post('/acquisitions/v3/s2s/applications', application({}, {
      addresses: [{ address: 'Nowhere St.', number: '222', city: 'Smallville', state: 'KS', country: 'USA', zip_code: '01234', neighborhood: 'Faraway Creek', address_type: 'RESIDENTIAL', mailing_address: true }],
      phones: [{ phone: '555-1234', phone_type: 'MOBILE', country_code: '55', area_code: 11 }],
      account: { external_id: 'de84c0b2', currency_numeric_code: '986', account_type: 'PHYSICAL', account_name: 'Account cash management', granted_limit: 1000, limit: 500 },
    }));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ status: 4, status_name: 'APPROVED', program_id: credit.programId });
    for (const k of ['application_id', 'account_id', 'customer_id', 'entity_id']) expect(Number.isInteger(body[k])).toBe(true);

    const account = await get(`/accounts/v1/accounts/${body.account_id}`);
    expect(account.statusCode, account.body).toBe(200);
    expect(account.json()).toMatchObject({
      account_id: body.account_id,
      customer_id: body.customer_id,
      acquisition_id: body.application_id,
      status: 'NORMAL',
      program_id: credit.programId,
      program_type: 'CREDITO',
      entity_type: 'INDIVIDUAL',
      name: 'John Doe',
      email: 'john.doe@example.com',
      account_type: 'PHYSICAL',
      account_name: 'Account cash management',
      external_id: 'de84c0b2',
      currency_numeric_code: '986',
      max_credit_limit: 1000,
      total_credit_limit: 500,
      available_limit: 500,
      current_balance: 0,
      program_due_date_id: credit.dueDateIds[0],
      org: tenant.org.orgId,
    });
    expect(account.json().postal_address_type).toEqual(expect.any(Number));
    expect(account.json().creation_date).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('keeps a prospect (submit false): no account, customer or entity yet, and no document check', async () => {
    const before = await count('accounts');
    const res = await post('/acquisitions/v3/s2s/applications', application({ submit: false }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toEqual({ application_id: expect.any(Number), status: 1, status_name: 'PROSPECT', program_id: credit.programId });
    expect(await count('accounts')).toBe(before);
  });

  it('refuses a second account for a document in the program (409), but not in another program', async () => {
    const doc = newDocumentNumber();
    await createAccount(app, tenant, { program: credit, documentNumber: doc });
    const again = await post('/acquisitions/v3/s2s/applications', application({}, { document_number: doc }));
    expectError(again, 409, 'ACCOUNT_ALREADY_CREATED');
    expect(again.json().message).toBe('Account already created');
    await createAccount(app, tenant, { program: debit, documentNumber: doc });
  });

  it('two applications for one document at once: one account, one 409', async () => {
    const doc = newDocumentNumber();
    const results = await Promise.all([1, 2].map(() => post('/acquisitions/v3/s2s/applications', application({}, { document_number: doc }))));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
  });

  it('credit programs need granted_limit and an active due date; limit stays within granted_limit', async () => {
    const before = await count('accounts');
    const noLimit = await post('/acquisitions/v3/s2s/applications', application({ due_date: undefined }, { account: {} }));
    expectError(noLimit, 400, 'VALIDATION_ERROR');
    expect(fields(noLimit)).toEqual(['body.application.applicant.account.granted_limit', 'body.application.due_date']);
    const inactive = await post('/acquisitions/v3/s2s/applications', application({ due_date: credit.inactiveDueDateIds[0] }));
    expect(fields(inactive)).toEqual(['body.application.due_date']);
    const over = await post('/acquisitions/v3/s2s/applications', application({}, { account: { granted_limit: 100, limit: 500 } }));
    expect(fields(over)).toEqual(['body.application.applicant.account.limit']);
    expect(await count('accounts')).toBe(before);
  });

  it('debit programs take overdraft_limit, not credit limits nor due dates', async () => {
    const ok = await createAccount(app, tenant, { program: debit, account: { overdraft_limit: 200 } });
    const shown = (await get(`/accounts/v1/accounts/${ok.accountId}`)).json();
    expect(shown).toMatchObject({ program_type: 'DEBITO', available_limit: 200, max_credit_limit: 0 });
    const bad = await post('/acquisitions/v3/s2s/applications', application({ program_id: debit.programId }));
    expect(fields(bad)).toEqual([
      'body.application.applicant.account.granted_limit',
      'body.application.applicant.account.limit',
      'body.application.due_date',
    ]);
  });

  it('exactly one of personal and company; a person needs a name or a social name', async () => {
    const both = await post('/acquisitions/v3/s2s/applications', application({}, { company: { name: 'Acme' } }));
    expect(fields(both)).toEqual(['body.application.applicant.company']);
    const none = await post('/acquisitions/v3/s2s/applications', application({}, { personal: undefined }));
    expect(fields(none)).toEqual(['body.application.applicant.personal']);
    const unnamed = await post('/acquisitions/v3/s2s/applications', application({}, { personal: { email: 'x@example.com' } }));
    expect(fields(unnamed)).toEqual(['body.application.applicant.personal.name']);
    const company = await post('/acquisitions/v3/s2s/applications', application({}, { personal: undefined, company: { name: 'Acme Ltda', email: 'ops@acme.example' } }));
    expect(company.statusCode, company.body).toBe(201);
    expect((await get(`/accounts/v1/accounts/${company.json().account_id}`)).json()).toMatchObject({ entity_type: 'COMPANY', name: 'Acme Ltda' });
  });

  it('a VIRTUAL account names its parent (an account of the program) and an external id', async () => {
    const parent = await createAccount(app, tenant, { program: credit });
    const missing = await post('/acquisitions/v3/s2s/applications', application({}, { account: { granted_limit: 10, account_type: 'VIRTUAL' } }));
    expect(fields(missing)).toEqual(['body.application.applicant.account.parent_account_id', 'body.application.applicant.account.external_id']);
    const child = await createAccount(app, tenant, {
      program: credit,
      documentNumber: parent.documentNumber,
      account: { account_type: 'VIRTUAL', parent_account_id: parent.accountId, external_id: 'child-1' },
    });
    const shown = await get(`/accounts/v1/accounts/${parent.accountId}?show_children=true`);
    expect(shown.json().children).toEqual([child.accountId]);
    expect((await get(`/accounts/v1/accounts/${child.accountId}`)).json()).toMatchObject({ account_type: 'VIRTUAL', parent_account_id: parent.accountId });
    const foreignParent = await post('/acquisitions/v3/s2s/applications', application({ program_id: debit.programId, due_date: undefined }, {
      account: { account_type: 'VIRTUAL', parent_account_id: parent.accountId, external_id: 'child-2' },
    }));
    expect(fields(foreignParent)).toEqual(['body.application.applicant.account.parent_account_id']);
  });

  it('an unknown program or channel is 400 naming it; a schema error names the field', async () => {
    expect(fields(await post('/acquisitions/v3/s2s/applications', application({ program_id: 999999999 })))).toEqual(['body.application.program_id']);
    expectError(await post('/acquisitions/v3/s2s/applications', application({ acquisition_channel: 999999999 })), 400, 'INVALID_ACQUISITION_CHANNEL');
    const bad = await post('/acquisitions/v3/s2s/applications', application({}, { account: { granted_limit: 10.5 } }));
    expect(fields(bad)).toEqual(['body.application.applicant.account.granted_limit']);
  });

  it('replays a request with the same idempotency key', async () => {
    const body = application();
    const headers = { ...tenant.headers, 'idempotency-key': `app-${newDocumentNumber()}` };
    const first = await post('/acquisitions/v3/s2s/applications', body, headers);
    const second = await post('/acquisitions/v3/s2s/applications', body, headers);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
  });
});

describe('GET /accounts/v1/accounts/{accountId}', () => {
  it("is 404 for an unknown id and for another org's account", async () => {
    expectError(await get('/accounts/v1/accounts/999999999'), 404, 'ACCOUNT_NOT_FOUND');
    const other = await addTenant(app);
    const theirs = await createAccount(app, other);
    expectError(await get(`/accounts/v1/accounts/${theirs.accountId}`), 404, 'ACCOUNT_NOT_FOUND');
  });
});

describe('statuses', () => {
  it('every org has the built-in statuses; CANCELLED is final', async () => {
    const res = await get('/accounts/v4/statuses?perPage=100');
    expect(res.statusCode, res.body).toBe(200);
    const names = res.json().items.map((s: { name: string; allowed_operations: string; is_final: boolean }) => [s.name, s.allowed_operations, s.is_final]);
    expect(names).toEqual(expect.arrayContaining([
      ['NORMAL', 'ALL_OPERATIONS', false],
      ['BLOCKED', 'CREDIT_ONLY', false],
      ['DEBIT_ONLY', 'DEBIT_ONLY', false],
      ['CANCELLED', 'NO_OPERATIONS', true],
    ]));
  });

  it('creates a status (201), refuses its name twice (409 EACC0018), and pages by cursor', async () => {
    const res = await post('/accounts/v4/statuses', { name: 'FROZEN', description: 'Frozen', is_final: false, allowed_operations: 'NO_OPERATIONS' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'FROZEN', state: 'ACTIVE', is_final: false, allowed_operations: 'NO_OPERATIONS' });
    expectError(await post('/accounts/v4/statuses', { name: 'FROZEN', allowed_operations: 'ALL_OPERATIONS' }), 409, 'EACC0018');
    expectError(await post('/accounts/v4/statuses', { name: 'NORMAL', allowed_operations: 'ALL_OPERATIONS' }), 409, 'EACC0018');
    const first = (await get('/accounts/v4/statuses?perPage=2')).json();
    expect(first).toMatchObject({ has_next: true, count: 2, per_page: 2, total_items: 5 });
    const next = (await get(`/accounts/v4/statuses?nextCursor=${first.next_cursor}`)).json();
    expect(next).toMatchObject({ current_page: 2, count: 2 });
    expectError(await get('/accounts/v4/statuses?nextCursor=nonsense'), 400, 'WACC0011');
    const frozen = (await get('/accounts/v4/statuses?name=FROZEN')).json();
    expect(frozen.items.map((s: { name: string }) => s.name)).toEqual(['FROZEN']);
  });
});

describe('accountFacts', () => {
  it('reads the accounts of the org (FOR SHARE when asked); unknown ids are absent', async () => {
    const acc = await createAccount(app, tenant, { program: credit });
    const facts = await app.platform.tenant({ orgId: tenant.org.orgId, cid: undefined, actor: 'test' }, (t) =>
      accountFacts(t, [String(acc.accountId), '999999999', 'x'], { share: true }),
    );
    expect([...facts.keys()]).toEqual([String(acc.accountId)]);
    expect(facts.get(String(acc.accountId))).toEqual({
      accountId: String(acc.accountId),
      programId: String(credit.programId),
      programMode: 'credit',
      currency: 'BRL',
      currencyNumericCode: '986',
      status: 'NORMAL',
      allowedOperations: 'ALL_OPERATIONS',
      isFinal: false,
      accountType: 'PHYSICAL',
      parentAccountId: null,
      grantedLimit: 100000n,
      limit: 50000n,
      overdraftLimit: null,
    });
  });
});

const patch = (url: string, payload: unknown, headers = tenant.headers) =>
  app.http.inject({ method: 'PATCH', url, headers, payload: payload as object });

describe('applications: get and update', () => {
  it('a prospect is merged, then submitted into an account; after that it cannot change', async () => {
    const created = (await post('/acquisitions/v3/s2s/applications', application({ submit: false }, {
      personal: { name: 'Jane Roe' },
      account: { granted_limit: 800 },
      addresses: [{ address: 'First St.', city: 'Smallville', state: 'KS', country: 'USA', zip_code: '1', neighborhood: 'A', address_type: 'RESIDENTIAL', mailing_address: true }],
    }))).json();
    const id = created.application_id;
    const shown = await get(`/acquisitions/v2/s2s/applications/${id}`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ application_id: id, application_status: 1, application_status_name: 'PROSPECT', program_id: credit.programId });
    expect(shown.json().application_form.personal).toEqual({ name: 'Jane Roe' });

    const merged = await patch(`/acquisitions/v2/s2s/applications/${id}`, {
      application: {
        applicant: {
          document_number: shown.json().application_form.document_number,
          personal: { email: 'jane@example.com' },
          account: { limit: 300 },
          addresses: [{ address: 'Second St.', city: 'Smallville', state: 'KS', country: 'USA', zip_code: '2', neighborhood: 'B', address_type: 'COMMERCIAL', mailing_address: true }],
        },
      },
    });
    expect(merged.statusCode, merged.body).toBe(200);
    const form = (await get(`/acquisitions/v2/s2s/applications/${id}`)).json().application_form;
    expect(form.personal).toEqual({ name: 'Jane Roe', email: 'jane@example.com' });
    expect(form.account).toEqual({ granted_limit: 800, limit: 300 });
    expect(form.addresses.map((a: { address: string; mailing_address: boolean }) => [a.address, a.mailing_address])).toEqual([['First St.', false], ['Second St.', true]]);

    const submitted = await patch(`/acquisitions/v2/s2s/applications/${id}`, { application: { submit: true } });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 4, status_name: 'APPROVED' });
    const account = (await get(`/accounts/v1/accounts/${submitted.json().account_id}`)).json();
    expect(account).toMatchObject({ name: 'Jane Roe', email: 'jane@example.com', max_credit_limit: 800, total_credit_limit: 300 });
    expectError(await patch(`/acquisitions/v2/s2s/applications/${id}`, { application: { submit: true } }), 409, 'APPLICATION_NOT_PROSPECT');
  });

  it('prospect_cancel ends a prospect; an unknown application is 404', async () => {
    const id = (await post('/acquisitions/v3/s2s/applications', application({ submit: false }))).json().application_id;
    const cancelled = await patch(`/acquisitions/v2/s2s/applications/${id}`, { application: { prospect_cancel: true } });
    expect(cancelled.json()).toMatchObject({ status: 5, status_name: 'CANCELED' });
    expectError(await patch(`/acquisitions/v2/s2s/applications/${id}`, { application: { submit: true } }), 409, 'APPLICATION_NOT_PROSPECT');
    expectError(await get('/acquisitions/v2/s2s/applications/999999999'), 404, 'APPLICATION_NOT_FOUND');
  });

  it('a prospect that breaks a rule on submit stays a prospect (400, nothing written)', async () => {
    const before = await count('accounts');
    const id = (await post('/acquisitions/v3/s2s/applications', application({ submit: false }, { account: {} }))).json().application_id;
    const res = await patch(`/acquisitions/v2/s2s/applications/${id}`, { application: { submit: true } });
    expect(fields(res)).toEqual(['body.application.applicant.account.granted_limit']);
    expect((await get(`/acquisitions/v2/s2s/applications/${id}`)).json().application_status_name).toBe('PROSPECT');
    expect(await count('accounts')).toBe(before);
  });
});

describe('acquisition channels', () => {
  it('a channel names its program: listed under it, and an application may name the channel instead', async () => {
    const ch = await post('/lastro/v1/acquisition-channels', { program_id: credit.programId, type: 'Webapp', name: 'eStore form' });
    expect(ch.statusCode, ch.body).toBe(201);
    const list = (await get(`/acquisitions/v2/programs/${credit.programId}/channels`)).json();
    expect(list.items).toContainEqual({ id: ch.json().id, type: 'Webapp', name: 'eStore form' });
    const res = await post('/acquisitions/v3/s2s/applications', application({ program_id: undefined, acquisition_channel: ch.json().id }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().program_id).toBe(credit.programId);
    expect((await get(`/acquisitions/v2/s2s/applications/${res.json().application_id}`)).json().acquisition_channel_id).toBe(ch.json().id);
    expectError(await post('/acquisitions/v3/s2s/applications', application({ program_id: debit.programId, acquisition_channel: ch.json().id })), 400, 'INVALID_ACQUISITION_CHANNEL');
    expect((await get(`/acquisitions/v2/programs/${debit.programId}/channels`)).json().total_items).toBe(0);
  });
});

describe('PATCH /accounts/v1/accounts/{accountId}', () => {
  it('changes the fields sent; a parent of the program that is not below the account; null unlinks', async () => {
    const a = await createAccount(app, tenant, { program: credit });
    const b = await createAccount(app, tenant, { program: credit });
    const res = await patch(`/accounts/v1/accounts/${b.accountId}`, { account_name: 'Renamed', custom_fields: { k: '1' }, centralizer: true, parent_account_id: a.accountId });
    expect(res.statusCode, res.body).toBe(200);
    expect((await get(`/accounts/v1/accounts/${b.accountId}`)).json()).toMatchObject({
      account_name: 'Renamed', custom_fields: '{"k":"1"}', is_centralizer: true, parent_account_id: a.accountId,
    });
    expect(fields(await patch(`/accounts/v1/accounts/${a.accountId}`, { parent_account_id: b.accountId }))).toEqual(['body.parent_account_id']);
    expect(fields(await patch(`/accounts/v1/accounts/${a.accountId}`, { parent_account_id: a.accountId }))).toEqual(['body.parent_account_id']);
    const other = await createAccount(app, tenant, { program: debit });
    expect(fields(await patch(`/accounts/v1/accounts/${a.accountId}`, { parent_account_id: other.accountId }))).toEqual(['body.parent_account_id']);
    expect((await patch(`/accounts/v1/accounts/${b.accountId}`, { parent_account_id: null })).statusCode).toBe(200);
    expect((await get(`/accounts/v1/accounts/${b.accountId}`)).json()).not.toHaveProperty('parent_account_id');
    expectError(await patch('/accounts/v1/accounts/999999999', { account_name: 'x' }), 404, 'ACCOUNT_NOT_FOUND');
  });
});

describe('status changes', () => {
  it('changes status with a reason; a final status is left only by a rollback (to NORMAL)', async () => {
    const acc = await createAccount(app, tenant, { program: credit });
    const reason = await post('/accounts/v4/reasons', { name: `Fraud ${newDocumentNumber()}`, description: 'Fraud suspected' });
    expect(reason.statusCode, reason.body).toBe(201);
    const url = `/accounts/v2/accounts/${acc.accountId}/status`;
    const blocked = await patch(url, { status: 'BLOCKED', reason_id: reason.json().reason_id });
    expect(blocked.statusCode, blocked.body).toBe(204);
    expect((await get(`/accounts/v1/accounts/${acc.accountId}`)).json()).toMatchObject({
      status: 'BLOCKED', status_reason_id: reason.json().reason_id, status_reason_description: 'Fraud suspected',
    });
    expectError(await patch(url, { status: 'NO_SUCH' }), 400, 'STATUS_NOT_FOUND');
    expectError(await patch(url, { status: 'NORMAL', reason_id: 999999999 }), 400, 'REASON_NOT_FOUND');
    expect((await patch(url, { status: 'CANCELLED' })).statusCode).toBe(204);
    expectError(await patch(url, { status: 'NORMAL' }), 409, 'ACCOUNT_STATUS_FINAL');
    expect((await patch(`${url}/rollback`, {})).statusCode).toBe(204);
    const facts = await app.platform.tenant({ orgId: tenant.org.orgId, cid: undefined, actor: 'test' }, (t) => accountFacts(t, [String(acc.accountId)]));
    expect(facts.get(String(acc.accountId))).toMatchObject({ status: 'NORMAL', allowedOperations: 'ALL_OPERATIONS', isFinal: false });
    expectError(await patch('/accounts/v2/accounts/999999999/status/rollback', {}), 404, 'ACCOUNT_OR_STATUS_NOT_FOUND');
    expectError(await patch('/accounts/v2/accounts/999999999/status', { status: 'BLOCKED' }), 404, 'ACCOUNT_NOT_FOUND');
  });

  it('update_children changes the descendants too, except those in a final status', async () => {
    const parent = await createAccount(app, tenant, { program: credit });
    const childOf = (p: number, ext: string) =>
      createAccount(app, tenant, { program: credit, documentNumber: parent.documentNumber, account: { account_type: 'VIRTUAL', parent_account_id: p, external_id: ext } });
    const child = await childOf(parent.accountId, `c-${parent.accountId}`);
    const grandchild = await childOf(child.accountId, `g-${parent.accountId}`);
    const cancelled = await childOf(parent.accountId, `x-${parent.accountId}`);
    await patch(`/accounts/v2/accounts/${cancelled.accountId}/status`, { status: 'CANCELLED' });
    expect((await patch(`/accounts/v2/accounts/${parent.accountId}/status`, { status: 'BLOCKED', update_children: true })).statusCode).toBe(204);
    const statusOf = async (id: number) => (await get(`/accounts/v1/accounts/${id}`)).json().status;
    expect([await statusOf(parent.accountId), await statusOf(child.accountId), await statusOf(grandchild.accountId), await statusOf(cancelled.accountId)]).toEqual([
      'BLOCKED', 'BLOCKED', 'BLOCKED', 'CANCELLED',
    ]);
  });

  it('a status change waits for a money movement holding the account FOR SHARE', async () => {
    const acc = await createAccount(app, tenant, { program: credit });
    const scope = { orgId: tenant.org.orgId, cid: undefined, actor: 'test' };
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let shared!: () => void;
    const locked = new Promise<void>((r) => (shared = r));
    const holder = app.platform.tenant(scope, async (t) => {
      await accountFacts(t, [String(acc.accountId)], { share: true });
      shared();
      await held;
    });
    await locked;
    let changed = false;
    const change = patch(`/accounts/v2/accounts/${acc.accountId}/status`, { status: 'BLOCKED' }).then((r) => {
      changed = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(changed).toBe(false);
    release();
    await holder;
    expect((await change).statusCode).toBe(204);
  });

  it('reasons: 201, a name twice is 409 EACC0018, listed with filters', async () => {
    const name = `Unblocked ${newDocumentNumber()}`;
    const res = await post('/accounts/v4/reasons', { name, allowed_operations: 'ALL_OPERATIONS', external_id: 'ext-1' });
    expect(res.json()).toMatchObject({ name, state: 'ACTIVE', allowed_operations: 'ALL_OPERATIONS', external_id: 'ext-1' });
    expectError(await post('/accounts/v4/reasons', { name }), 409, 'EACC0018');
    const list = (await get(`/accounts/v4/reasons?name=${encodeURIComponent(name)}`)).json();
    expect(list.items.map((r: { reason_id: number }) => r.reason_id)).toEqual([res.json().reason_id]);
  });
});
