// Contract tests of Pismo's Accounts API (Core_platform_-_Accounts.yaml): real requests and
// responses, success and each documented error, checked against the spec file.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, newDocumentNumber, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { injectExchange } from './inject-exchange.js';
import { describeContract } from './pismo-spec.js';

const ACCOUNTS = 'Core_platform_-_Accounts.yaml';

let app: TestApp;
let h: Record<string, string>;
let credit: TestProgram;
let debit: TestProgram;

const exchange = injectExchange(ACCOUNTS, () => ({ app, headers: h }));

/** The spec's example application, in this org's credit program. */
const specApplication = (overrides: Record<string, unknown> = {}) => ({
  application: {
    submit: true,
    due_date: credit.dueDateIds[0],
    program_id: credit.programId,
    applicant: {
      document_number: newDocumentNumber(),
      birth_date: '1980-01-31',
      account: {
        external_id: `de84c0b2-${newDocumentNumber()}`,
        currency_numeric_code: '986',
        account_type: 'PHYSICAL',
        account_name: 'Account cash management',
        granted_limit: 1000,
        limit: 500,
      },
      personal: { name: 'John Doe', email: 'john.doe@email.com' },
      addresses: [
        {
          address: 'Nowhere St.',
          number: '222',
          address1: '10',
          country: 'USA',
          complementary_address: 'Suite B',
          neighborhood: 'Faraway Creek',
          city: 'Smallville',
          state: 'KS',
          zip_code: '01234',
          mailing_address: true,
          address_type: 'RESIDENTIAL',
        },
      ],
      phones: [{ phone: '555-1234', phone_type: 'MOBILE', country_code: '55', area_code: 11 }],
    },
    ...overrides,
  },
});

describeContract('Pismo contract: Accounts', () => {
  beforeAll(async () => {
    const t = await setupTenant({ env: NO_RATE_LIMITS });
    app = t.app;
    h = t.headers;
    credit = await createProgram(app, t, 'CREDITO');
    debit = await createProgram(app, t, 'DEBITO');
  });
  afterAll(async () => app?.close());

  it('POST /acquisitions/v3/s2s/applications: 201 (submitted and prospect), 400, 409', async () => {
    const path = '/acquisitions/v3/s2s/applications';
    const body = specApplication();
    await exchange({ method: 'POST', path, body }, 201);
    await exchange({ method: 'POST', path, body: specApplication({ submit: false }) }, 201);
    const dup = await exchange({ method: 'POST', path, body }, 409);
    expect(dup.json().message).toBe('Account already created');
    const channel = await exchange({ method: 'POST', path, body: specApplication({ acquisition_channel: 99999999 }) }, 400);
    expect(channel.json().message).toBe('Invalid acquisition channel');
    await exchange({ method: 'POST', path, body: specApplication({ program_id: debit.programId }) }, 400);
    await exchange({ method: 'POST', path, body: { application: { submit: true } } }, 400, { request: false });
  });

  it('GET /accounts/v1/accounts/{accountId}: 200 (with and without children), 404', async () => {
    const parent = await createAccount(app, { headers: h }, { program: credit });
    await createAccount(app, { headers: h }, {
      program: credit,
      documentNumber: parent.documentNumber,
      account: { account_type: 'VIRTUAL', parent_account_id: parent.accountId, external_id: 'child' },
    });
    await exchange({ method: 'GET', path: `/accounts/v1/accounts/${parent.accountId}`, query: { show_children: 'true' } }, 200);
    await exchange({ method: 'GET', path: `/accounts/v1/accounts/${parent.accountId}` }, 200);
    const debitAccount = await createAccount(app, { headers: h }, { program: debit, account: { overdraft_limit: 100 } });
    await exchange({ method: 'GET', path: `/accounts/v1/accounts/${debitAccount.accountId}` }, 200);
    await exchange({ method: 'GET', path: '/accounts/v1/accounts/99999999' }, 404);
  });

  it('POST /accounts/v4/statuses: 201 (required and full payload), 400, 409', async () => {
    const path = '/accounts/v4/statuses';
    await exchange({ method: 'POST', path, body: { name: 'CONTRACT_MIN', allowed_operations: 'ALL_OPERATIONS' } }, 201);
    await exchange(
      { method: 'POST', path, body: { name: 'CONTRACT_FULL', description: 'Active account with all operations available.', is_final: false, allowed_operations: 'ALL_OPERATIONS' } },
      201,
    );
    const dup = await exchange({ method: 'POST', path, body: { name: 'NORMAL', allowed_operations: 'ALL_OPERATIONS' } }, 409);
    expect(dup.json().code).toBe('EACC0018');
    await exchange({ method: 'POST', path, body: { name: 'lower', allowed_operations: 'SOME' } }, 400, { request: false });
  });

  it('GET /accounts/v4/statuses: 200 (pages, cursor, filters), 400', async () => {
    const path = '/accounts/v4/statuses';
    const first = await exchange({ method: 'GET', path, query: { perPage: '2', page: '1' } }, 200);
    await exchange({ method: 'GET', path, query: { nextCursor: first.json().next_cursor } }, 200);
    await exchange({ method: 'GET', path, query: { name: 'NORMAL', state: 'ACTIVE' } }, 200);
    await exchange({ method: 'GET', path, query: { maxItems: '3' } }, 200);
    await exchange({ method: 'GET', path, query: { page: '0' } }, 400, { request: false });
    await exchange({ method: 'GET', path, query: { state: 'GONE' } }, 400, { request: false });
    const cursor = await exchange({ method: 'GET', path, query: { nextCursor: 'not-a-cursor' } }, 400);
    expect(cursor.json().code).toBe('WACC0011');
  });
  it('GET and PATCH /acquisitions/v2/s2s/applications/{applicationId}: 200, 400, 404, 409', async () => {
    const created = await app.http.inject({ method: 'POST', url: '/acquisitions/v3/s2s/applications', headers: h, payload: specApplication({ submit: false }) });
    const id = created.json().application_id;
    const path = `/acquisitions/v2/s2s/applications/${id}`;
    await exchange({ method: 'GET', path }, 200);
    await exchange({ method: 'GET', path: '/acquisitions/v2/s2s/applications/99999999' }, 404);
    await exchange({ method: 'PATCH', path, body: { application: { submit: false, prospect_cancel: false, applicant: { document_number: created.json().document_number ?? (await app.http.inject({ method: 'GET', url: path, headers: h })).json().application_form.document_number, personal: { nickname: 'JD' } } } } }, 200);
    // The spec's example.
    await exchange({ method: 'PATCH', path, body: { application: { submit: true, prospect_cancel: false } } }, 200);
    await exchange({ method: 'GET', path }, 200);
    await exchange({ method: 'PATCH', path, body: { application: { submit: true } } }, 409);
    await exchange({ method: 'PATCH', path: '/acquisitions/v2/s2s/applications/99999999', body: { application: { submit: true } } }, 404);
    const other = await app.http.inject({ method: 'POST', url: '/acquisitions/v3/s2s/applications', headers: h, payload: specApplication({ submit: false }) });
    await exchange({ method: 'PATCH', path: `/acquisitions/v2/s2s/applications/${other.json().application_id}`, body: { application: { submit: 'yes' } } }, 400, { request: false });
  });

  it('GET /acquisitions/v2/programs/{programId}/channels: 200', async () => {
    await app.http.inject({ method: 'POST', url: '/lastro/v1/acquisition-channels', headers: h, payload: { program_id: credit.programId, type: 'Webapp', name: 'eStore form' } });
    await exchange({ method: 'GET', path: `/acquisitions/v2/programs/${credit.programId}/channels`, query: { page: '1', perPage: '10' } }, 200);
    await exchange({ method: 'GET', path: `/acquisitions/v2/programs/${debit.programId}/channels` }, 200);
  });

  it('PATCH /accounts/v1/accounts/{accountId}: 200, 404', async () => {
    const acc = await createAccount(app, { headers: h }, { program: credit });
    const parent = await createAccount(app, { headers: h }, { program: credit });
    await exchange(
      {
        method: 'PATCH',
        path: `/accounts/v1/accounts/${acc.accountId}`,
        body: { custom_fields: { tier: 'gold' }, division_id: 7, account_name: 'Renamed', parent_account_id: parent.accountId, external_id: 'ext-9', centralizer: false },
      },
      200,
    );
    // Pismo's text: "Enter null to unlink an account", though its schema types the field integer.
    await exchange({ method: 'PATCH', path: `/accounts/v1/accounts/${acc.accountId}`, body: { parent_account_id: null } }, 200, { request: false });
    await exchange({ method: 'PATCH', path: '/accounts/v1/accounts/99999999', body: { account_name: 'x' } }, 404);
  });

  it('PATCH /accounts/v2/accounts/{accountId}/status and /rollback: 204, 400, 404 (and 409 for a final status)', async () => {
    const acc = await createAccount(app, { headers: h }, { program: credit });
    const path = `/accounts/v2/accounts/${acc.accountId}/status`;
    await exchange({ method: 'PATCH', path, body: { status: 'BLOCKED' } }, 204);
    await exchange({ method: 'PATCH', path, body: { status: 'NORMAL' } }, 204);
    const notFound = await exchange({ method: 'PATCH', path, body: { status: 'NO_SUCH_STATUS' } }, 400);
    expect(notFound.json().message).toBe('Status not found');
    await exchange({ method: 'PATCH', path: '/accounts/v2/accounts/99999999/status', body: { status: 'BLOCKED' } }, 404);
    await exchange({ method: 'PATCH', path, body: { status: 'CANCELLED', update_children: true } }, 204);
    await exchange({ method: 'PATCH', path, body: { status: 'NORMAL' } }, 409);
    await exchange({ method: 'PATCH', path: `${path}/rollback`, body: {} }, 204);
    await exchange({ method: 'PATCH', path: `${path}/rollback`, body: { status: 'BLOCKED' } }, 204);
    await exchange({ method: 'PATCH', path: '/accounts/v2/accounts/99999999/status/rollback', body: {} }, 404);
    // With a reason, Get account carries it.
    const reason = await app.http.inject({ method: 'POST', url: '/accounts/v4/reasons', headers: h, payload: { name: 'Contract reason', description: 'FRAUD SUSPECTED' } });
    await exchange({ method: 'PATCH', path, body: { status: 'BLOCKED', reason_id: reason.json().reason_id } }, 204);
    await exchange({ method: 'GET', path: `/accounts/v1/accounts/${acc.accountId}` }, 200);
  });

  it('POST /accounts/v4/reasons: 201 (required and full payload), 400, 409; GET: 200, 400', async () => {
    const path = '/accounts/v4/reasons';
    await exchange({ method: 'POST', path, body: { name: 'Unblocked' } }, 201);
    await exchange({ method: 'POST', path, body: { name: 'Settled', description: 'Unblocked account after settling the account.' } }, 201);
    await exchange({ method: 'POST', path, body: { name: 'Full', allowed_operations: 'CREDIT_ONLY', external_id: 'r-1' } }, 201);
    const dup = await exchange({ method: 'POST', path, body: { name: 'Unblocked' } }, 409);
    expect(dup.json().code).toBe('EACC0018');
    await exchange({ method: 'POST', path, body: {} }, 400, { request: false });
    const first = await exchange({ method: 'GET', path, query: { perPage: '1' } }, 200);
    await exchange({ method: 'GET', path, query: { nextCursor: first.json().next_cursor } }, 200);
    await exchange({ method: 'GET', path, query: { name: 'Unblocked', state: 'ACTIVE' } }, 200);
    await exchange({ method: 'GET', path, query: { perPage: '0' } }, 400, { request: false });
    expect((await exchange({ method: 'GET', path, query: { nextCursor: 'bad' } }, 400)).json().code).toBe('WACC0011');
  });
  it('POST /accounts/v3/accounts/search: 200, 404; POST /accounts/v5/accounts/search: 200, 400', async () => {
    const acc = await createAccount(app, { headers: h }, { program: debit, applicant: { phones: [{ phone: '555-9876', phone_type: 'MOBILE', country_code: '55', area_code: 11 }] } });
    await exchange({ method: 'POST', path: '/accounts/v3/accounts/search', body: { document_number: acc.documentNumber } }, 200);
    await exchange({ method: 'POST', path: '/accounts/v3/accounts/search', query: { page: '1', perPage: '10' }, body: { document_number: acc.documentNumber, program_id: debit.programId, account_status: 'NORMAL' } }, 200);
    await exchange({ method: 'POST', path: '/accounts/v3/accounts/search', body: { document_number: 'nobody' } }, 404);
    await exchange({ method: 'POST', path: '/accounts/v5/accounts/search', body: { phone: { number: '555-9876', area_code: '11', country_code: '55' } } }, 200);
    await exchange({ method: 'POST', path: '/accounts/v5/accounts/search', query: { maxItems: '1' }, body: { phone: { number: '555-9876' } } }, 200);
    await exchange({ method: 'POST', path: '/accounts/v5/accounts/search', body: { phone: {} } }, 400, { request: false });
    await exchange({ method: 'POST', path: '/accounts/v5/accounts/search', query: { nextCursor: 'zz' }, body: { phone: { number: '1' } } }, 400);
  });
});
