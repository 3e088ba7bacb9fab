// Contract tests of Pismo's Accounts API (Core_platform_-_Accounts.yaml): real requests and
// responses, success and each documented error, checked against the spec file.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, newDocumentNumber, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { describeContract, expectConforms, type RequestSample } from './pismo-spec.js';

const ACCOUNTS = 'Core_platform_-_Accounts.yaml';

let app: TestApp;
let h: Record<string, string>;
let credit: TestProgram;
let debit: TestProgram;

async function exchange(req: RequestSample, expected: number, opts: { request?: boolean; headers?: Record<string, string> } = {}) {
  const headers = opts.headers ?? h;
  const query = req.query ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
  const res = await app.http.inject({
    method: req.method as 'GET',
    url: req.path + query,
    headers,
    ...(req.body === undefined ? {} : { payload: req.body as object }),
  });
  expect(res.statusCode, res.body).toBe(expected);
  expectConforms(ACCOUNTS, { request: { ...req, headers }, response: res }, { request: opts.request ?? true });
  return res;
}

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
        external_id: 'de84c0b2-6d9e-49b3-ae97-acbd9944f62a',
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
});
