// Contract tests of an account's customers, addresses, phones and parameters
// (Core_platform_-_Accounts.yaml): real requests and responses, success and each documented
// error, checked against the spec file, and what each operation changes.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAccount, createProgram, newDocumentNumber, type TestAccount, type TestProgram } from '../helpers/accounts.js';
import type { TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { NO_RATE_LIMITS, setupTenant } from '../helpers/fixture.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { injectExchange } from './inject-exchange.js';
import { checkExchange, describeContract, loadSpec } from './pismo-spec.js';

const ACCOUNTS = 'Core_platform_-_Accounts.yaml';

let app: TestApp;
let h: Record<string, string>;
let orgId: string;
let program: TestProgram;

const exchange = injectExchange(ACCOUNTS, () => ({ app, headers: h }));

const get = async (url: string) => {
  const res = await app.http.inject({ method: 'GET', url, headers: h });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

/** Events of this org of one type, oldest first. */
const eventsOf = async (domain: string, eventType: string) =>
  (
    await app.platform.db.kysely
      .selectFrom('event_outbox_events')
      .select(['data'])
      .where('org_id', '=', orgId)
      .where('domain', '=', domain)
      .where('event_type', '=', eventType)
      .orderBy('event_id')
      .execute()
  ).map((r) => r.data as Record<string, unknown>);

let branches: Ajv2020 | undefined;
/** Problems of a value against one schema of the spec's components (one branch of a oneOf). */
function branchProblems(schema: string, value: unknown): string[] {
  if (!branches) {
    branches = new Ajv2020({ strict: false, allErrors: true });
    (ajvFormats as unknown as (a: Ajv2020) => void)(branches);
    branches.addSchema(loadSpec(ACCOUNTS).doc, 'accounts');
  }
  const validate = branches.compile({ $ref: `accounts#/components/schemas/${schema}` });
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/**
 * Update person or company customer: the spec's body and answer are `oneOf` PersonRequest and
 * CompanyRequest (PersonResponse and CompanyResponse), whose properties are open, so a body
 * matches both and "exactly one" fails for any of them. The exchange is checked but for that,
 * and the body and answer against the branch of the customer's kind.
 */
async function detailExchange(path: string, body: Record<string, unknown>, kind: 'Person' | 'Company', expected: number) {
  const res = await app.http.inject({ method: 'PATCH', url: path, headers: h, payload: body });
  expect(res.statusCode, res.body).toBe(expected);
  const problems = checkExchange(ACCOUNTS, { method: 'PATCH', path, headers: h, body }, res).filter((p) => !/must match exactly one schema in oneOf/.test(p));
  expect(problems).toEqual([]);
  expect(branchProblems(`${kind}Request`, body)).toEqual([]);
  if (expected === 200) expect(branchProblems(`${kind}Response`, res.json())).toEqual([]);
  return res;
}

/** The spec's Create customer example (a person), for an account. */
const personCustomer = (accountId: number, documentNumber = newDocumentNumber(), isOwner = false) => ({
  account_id: accountId,
  entity: {
    name: 'Sam Smith',
    document_number: documentNumber,
    birth_date: '15/01/1990',
    gender: 'M',
    marital_status: 'MARRIED',
    mothers_name: 'Kay Sadilla',
    registration: '55555555',
    pep: false,
    person: { nationality: 'Australian', city_of_birth: 'San Diego', occupation: 'Programmer', income: 2000.5 },
  },
  customer: { is_owner: isOwner, email: 'jenna.flect@email.com', social_name: 'Jack', nickname: 'Pinto' },
});

describeContract('Pismo contract: Accounts customers, addresses, phones, parameters', () => {
  beforeAll(async () => {
    const t = await setupTenant({ env: NO_RATE_LIMITS });
    app = t.app;
    h = t.headers;
    orgId = t.org.orgId;
    program = await createProgram(app, t, 'CREDITO');
  });
  afterAll(async () => app?.close());

  it('POST /accounts/v2/customers: 201 (person, company, owner change), 400, 404, 409', async () => {
    const acc = await createAccount(app, { headers: h }, { program });
    const path = '/accounts/v2/customers';
    const body = personCustomer(acc.accountId);
    const created = (await exchange({ method: 'POST', path, body }, 201)).json();
    expect(created).toMatchObject({ account_id: acc.accountId, entityd: created.entity_id, data: { entity: { name: 'Sam Smith', birth_date: '15/01/1990' } } });
    const dup = await exchange({ method: 'POST', path, body }, 409);
    expect(dup.json().message).toBe(`Customer with accountId=(${acc.accountId}) and documentNumber=(${body.entity.document_number}) exists`);
    // The owner's document is a customer of the account already.
    await exchange({ method: 'POST', path, body: personCustomer(acc.accountId, acc.documentNumber) }, 409);

    const company = {
      account_id: acc.accountId,
      entity: { name: 'Acme Inc.', document_number: newDocumentNumber(), company: { company_name: 'Acme Inc.', company_constitution_date: '01/01/2019', annual_revenues: 33000.25, partners: [{ name: 'Hyman Roth' }] } },
      customer: { is_owner: true },
    };
    const owner = (await exchange({ method: 'POST', path, body: company }, 201)).json();
    // The company is the owner now: Get account names it, the previous owner stays a customer.
    const account = await get(`/accounts/v1/accounts/${acc.accountId}`);
    expect(account).toMatchObject({ customer_id: owner.customer_id, entity_type: 'COMPANY', name: 'Acme Inc.', document_number: company.entity.document_number });
    const list = await get(`/accounts/v2/accounts/${acc.accountId}/customers?perPage=200`);
    expect(list.items.map((i: { customer: { id: number; is_owner: boolean } }) => [i.customer.id, i.customer.is_owner])).toEqual([
      [acc.customerId, false],
      [created.customer_id, false],
      [owner.customer_id, true],
    ]);
    expect(await eventsOf('account', 'account-owner-change')).toEqual([
      expect.objectContaining({ account_id: acc.accountId, customer_id: owner.customer_id, previous_customer_id: acc.customerId }),
    ]);
    expect((await eventsOf('account', 'customer-creation')).filter((e) => e.account_id === acc.accountId)).toHaveLength(3);

    const both = personCustomer(acc.accountId);
    await exchange({ method: 'POST', path, body: { ...both, entity: { ...both.entity, company: company.entity.company } } }, 400);
    const badDay = await exchange({ method: 'POST', path, body: { ...both, entity: { ...both.entity, birth_date: '31/02/1990' } } }, 400);
    expectError(badDay, 400, 'VALIDATION_ERROR', 'body.entity.birth_date');
    const noOwnerFlag = await exchange({ method: 'POST', path, body: { ...both, customer: {} } }, 400, { request: false });
    expectError(noOwnerFlag, 400, 'VALIDATION_ERROR', 'body.customer.is_owner');
    await exchange({ method: 'POST', path, body: personCustomer(99999999) }, 404);
  });

  it('GET /accounts/v2/accounts/{accountId}/customers: 200 (filters, pages), 404', async () => {
    const acc = await createAccount(app, { headers: h }, { program });
    const extra = (await exchange({ method: 'POST', path: '/accounts/v2/customers', body: personCustomer(acc.accountId) }, 201)).json();
    const path = `/accounts/v2/accounts/${acc.accountId}/customers`;
    const all = (await exchange({ method: 'GET', path }, 200)).json();
    expect(all).toMatchObject({ current_page: 1, per_page: 10 });
    expect(all.items).toHaveLength(2);
    const owners = (await exchange({ method: 'GET', path, query: { isOwner: 'true' } }, 200)).json();
    expect(owners.items.map((i: { customer: { id: number } }) => i.customer.id)).toEqual([acc.customerId]);
    const byEntity = (await exchange({ method: 'GET', path, query: { entityId: String(extra.entity_id), page: '1', perPage: '1' } }, 200)).json();
    expect(byEntity.items).toEqual([{ account_id: acc.accountId, customer: { id: extra.customer_id, social_name: 'Jack', nickname: 'Pinto', is_owner: false, is_active: true } }]);
    expect((await exchange({ method: 'GET', path, query: { page: '2', perPage: '1' } }, 200)).json().items).toHaveLength(1);
    expect((await exchange({ method: 'GET', path: '/accounts/v2/accounts/99999999/customers' }, 404)).json().message).toBe('Account not found');
  });

  it('GET and PUT /accounts/v2/customers/{customerId}: 200, 400, 404', async () => {
    const acc = await createAccount(app, { headers: h }, {
      program,
      applicant: {
        addresses: [{ address: 'Nowhere St.', city: 'Smallville', state: 'KS', country: 'USA', zip_code: '01234', neighborhood: 'Creek', address_type: 'RESIDENTIAL' }],
        phones: [{ phone: '555-1234', phone_type: 'MOBILE', country_code: '55', area_code: 11 }],
      },
    });
    const created = (await exchange({ method: 'POST', path: '/accounts/v2/customers', body: personCustomer(acc.accountId) }, 201)).json();
    const path = `/accounts/v2/customers/${created.customer_id}`;
    const got = (await exchange({ method: 'GET', path }, 200)).json();
    expect(got).toMatchObject({
      program_id: program.programId,
      account_id: acc.accountId,
      entity: { id: created.entity_id, name: 'Sam Smith', birth_date: '1990-01-15', registration: '55555555', gender: 'M', person: { nationality: 'Australian', income: 2000.5 } },
      customer: { id: created.customer_id, is_owner: false, is_active: true, email: 'jenna.flect@email.com', addresses: [], phones: [] },
    });
    // The owner opened by the application has its address and phone.
    const owner = (await exchange({ method: 'GET', path: `/accounts/v2/customers/${acc.customerId}` }, 200)).json();
    expect(owner.customer.is_owner).toBe(true);
    expect(owner.customer.addresses).toHaveLength(1);
    expect(owner.customer.phones).toHaveLength(1);
    await exchange({ method: 'GET', path: '/accounts/v2/customers/99999999' }, 404);

    // Overwrite: social_name and nickname not sent become null; is_active sent.
    await exchange({ method: 'PUT', path, body: { customer: { printed_name: 'Jack Williams', is_active: false } } }, 200);
    const after = (await exchange({ method: 'GET', path }, 200)).json().customer;
    expect(after).toMatchObject({ printed_name: 'Jack Williams', is_active: false, email: 'jenna.flect@email.com' });
    expect(after.social_name).toBeUndefined();
    expect(after.nickname).toBeUndefined();
    expect((await eventsOf('account', 'customer-change')).at(-1)).toMatchObject({ customer_id: created.customer_id, changed_fields: ['social_name', 'nickname', 'printed_name', 'is_active'] });
    await exchange({ method: 'PUT', path: '/accounts/v2/customers/99999999', body: { customer: { nickname: 'x' } } }, 404);
    const bad = await exchange({ method: 'PUT', path, body: { customer: { email: 'not an email' } } }, 400, { request: false });
    expectError(bad, 400, 'VALIDATION_ERROR', 'body.customer.email');
  });

  it('PATCH /accounts/v1/accounts/{accountId}/customers/{customerId}/detail: 200 (person, company, owner), 400, 404', async () => {
    const acc = await createAccount(app, { headers: h }, { program });
    const created = (await exchange({ method: 'POST', path: '/accounts/v2/customers', body: personCustomer(acc.accountId) }, 201)).json();
    const path = `/accounts/v1/accounts/${acc.accountId}/customers/${created.customer_id}/detail`;
    const person = (await detailExchange(path, { occupation: 'Architect', birth_date: '31/12/1980', nickname: 'Sammy' }, 'Person', 200)).json();
    expect(person).toMatchObject({ name: 'Sam Smith', occupation: 'Architect', nationality: 'Australian', nickname: 'Sammy', birth_date: '1980-12-31', type_id: 1, entity_type: 'INDIVIDUAL' });
    expect((await eventsOf('audit', 'entity-change')).at(-1)).toMatchObject({ customer_id: created.customer_id, changed_fields: ['occupation', 'birth_date', 'nickname'] });
    const wrongKind = await app.http.inject({ method: 'PATCH', url: path, headers: h, payload: { company_name: 'Acme' } });
    expectError(wrongKind, 400, 'VALIDATION_ERROR', 'body.company_name');

    // Owner change through the detail: an inactive customer cannot become the owner.
    const inactive = await detailExchange(path, { is_owner: true, is_active: false }, 'Person', 400);
    expect(inactive.json().message).toBe('New customer owner must not be inactive');
    expect((await get(`/accounts/v1/accounts/${acc.accountId}`)).customer_id).toBe(acc.customerId);
    await detailExchange(path, { is_owner: true }, 'Person', 200);
    expect((await get(`/accounts/v1/accounts/${acc.accountId}`)).customer_id).toBe(created.customer_id);
    expect((await eventsOf('account', 'owner-change')).at(-1)).toMatchObject({ customer_id: created.customer_id, previous_customer_id: acc.customerId });

    const companyAcc = await createAccount(app, { headers: h }, { program, applicant: { personal: undefined, company: { name: 'Globex', company_name: 'Globex' } } });
    const companyPath = `/accounts/v1/accounts/${companyAcc.accountId}/customers/${companyAcc.customerId}/detail`;
    const company = (await detailExchange(companyPath, { fiscal_situation: 'Good', company_constitution_date: '20/01/2004' }, 'Company', 200)).json();
    expect(company).toMatchObject({ fiscal_situation: 'Good', company_constitution_date: '2004-01-20', type_id: 2, entity_type: 'COMPANY' });

    await detailExchange(`/accounts/v1/accounts/99999999/customers/${created.customer_id}/detail`, { occupation: 'x' }, 'Person', 404);
    // A customer of another account is not found on this one.
    await detailExchange(`/accounts/v1/accounts/${companyAcc.accountId}/customers/${created.customer_id}/detail`, { occupation: 'x' }, 'Person', 404);
  });

  it('POST, GET, GET one and PATCH /accounts/v1/accounts/{accountId}/addresses: 201, 200, 400, 404', async () => {
    const acc = await createAccount(app, { headers: h }, {
      program,
      applicant: {
        addresses: [{ address: 'Nowhere St.', city: 'Smallville', state: 'KS', country: 'USA', zip_code: '01234', neighborhood: 'Creek', address_type: 'RESIDENTIAL', mailing_address: true }],
      },
    });
    const path = `/accounts/v1/accounts/${acc.accountId}/addresses`;
    const body = {
      type: 'COMMERCIAL',
      address: 'Mulholland Drive',
      number: '456 B',
      zip_code: '12345-678',
      city: 'San Diego',
      state: 'California',
      country: 'Brazil',
      neighborhood: 'Shady Pines',
      complementary_address: 'Apt 1408',
      custom_fields: { field_01: 'value01' },
      mailing_address: true,
    };
    const { id } = (await exchange({ method: 'POST', path, body }, 201)).json();
    const one = (await exchange({ method: 'GET', path: `${path}/${id}` }, 200)).json();
    expect(one).toMatchObject({ id, address_type: 'COMMERCIAL', number: 456, extended_number: '456 B', mailing_address: true, active: true, account_id: acc.accountId, customer_ids: [acc.customerId] });
    // The application's address is no longer the mailing address.
    const all = (await exchange({ method: 'GET', path }, 200)).json();
    expect(all.map((a: { id: number; mailing_address: boolean }) => [a.id, a.mailing_address])).toEqual([
      [all[0].id, false],
      [id, true],
    ]);
    expect((await exchange({ method: 'PATCH', path: `${path}/${id}`, body: { active: false, city: 'Sorocaba' } }, 201)).json()).toEqual({ id });
    await exchange({ method: 'GET', path: `${path}/${id}` }, 404);
    expect((await exchange({ method: 'GET', path, query: { active: 'false' } }, 200)).json()).toEqual([expect.objectContaining({ id, city: 'Sorocaba', active: false })]);
    expect(await eventsOf('audit', 'address-change')).toEqual([expect.objectContaining({ id, changed_fields: ['active', 'city'] })]);
    await exchange({ method: 'GET', path: `${path}/not-a-number` }, 400, { request: false });
    const missing = await exchange({ method: 'POST', path, body: { ...body, number: undefined } }, 400, { request: false });
    expectError(missing, 400, 'VALIDATION_ERROR', 'body.number');
    await exchange({ method: 'PATCH', path: `${path}/99999999`, body: { city: 'x' } }, 404);
    await exchange({ method: 'POST', path: '/accounts/v1/accounts/99999999/addresses', body }, 404);
  });

  it('POST, GET, GET one and PATCH /accounts/v1/accounts/{accountId}/phones: 200, 400, 404, 409, 422', async () => {
    const acc = await createAccount(app, { headers: h }, { program });
    const other = (await exchange({ method: 'POST', path: '/accounts/v2/customers', body: personCustomer(acc.accountId) }, 201)).json();
    const path = `/accounts/v1/accounts/${acc.accountId}/phones`;
    // The spec's example.
    const body = { area_code: 11, number: '91234-5678', type: 'MOBILE', extension: 'ext 123', active: true };
    const { id } = (await exchange({ method: 'POST', path, body, headers: { 'x-customer-id': String(other.customer_id) } }, 200)).json();
    const one = (await exchange({ method: 'GET', path: `${path}/${id}` }, 200)).json();
    expect(one).toMatchObject({ id, area_code: '11', number: '91234-5678', type: 'MOBILE', active: true, customer_id: other.customer_id });
    expect((await exchange({ method: 'POST', path, body }, 409)).json().message).toBe('Phone number already exists');
    const bad = await exchange({ method: 'POST', path, body: { number: '1', type: 'FAX' } }, 400, { request: false });
    expectError(bad, 400, 'VALIDATION_ERROR', 'body.type');
    const notCustomer = await exchange({ method: 'POST', path, body: { number: '2', type: 'MOBILE' }, headers: { 'x-customer-id': '99999999' } }, 400);
    expectError(notCustomer, 400, 'VALIDATION_ERROR', 'headers.x-customer-id');

    expect((await exchange({ method: 'GET', path, query: { type: 'MOBILE', active: 'true' } }, 200)).json()).toEqual([expect.objectContaining({ id })]);
    expect((await exchange({ method: 'GET', path, query: { type: 'COMMERCIAL' } }, 200)).json()).toEqual([]);
    // The spec's example: inactivate the phone; then it cannot be updated.
    expect((await exchange({ method: 'PATCH', path: `${path}/${id}`, body: { active: false } }, 200)).json()).toEqual({ id });
    expect((await exchange({ method: 'PATCH', path: `${path}/${id}`, body: { extension: 'ext 9' } }, 422)).json().message).toBe("Can't update an inactive phone number");
    await exchange({ method: 'PATCH', path: `${path}/${id}`, body: { area_code: 'eleven' } }, 400, { request: false });
    // The number is free again.
    const again = (await exchange({ method: 'POST', path, body }, 200)).json();
    expect(again.id).not.toBe(id);
    await exchange({ method: 'GET', path: `${path}/99999999` }, 404);
    await exchange({ method: 'PATCH', path: `${path}/99999999`, body: { active: false } }, 404);
    await exchange({ method: 'GET', path: '/accounts/v1/accounts/99999999/phones' }, 404);
    expect((await eventsOf('audit', 'phone-creation')).filter((e) => e.account_id === acc.accountId)).toHaveLength(2);
  });

  it('PUT, GET and GET one /accounts/v1/accounts/{accountId}/parameters: 200, 404', async () => {
    const acc = await createAccount(app, { headers: h }, { program });
    const path = `/accounts/v1/accounts/${acc.accountId}/parameters`;
    expect((await exchange({ method: 'GET', path }, 200)).json()).toEqual([]);
    await exchange({ method: 'PUT', path: `${path}/11`, body: { value: 0.01 } }, 200);
    const first = (await exchange({ method: 'GET', path: `${path}/11` }, 200)).json();
    expect(first).toMatchObject({ parameter_id: 11, value: 0.01 });
    await exchange({ method: 'PUT', path: `${path}/11`, body: { value: 0.02 } }, 200);
    const list = (await exchange({ method: 'GET', path }, 200)).json();
    expect(list).toEqual([{ ...first, value: 0.02 }]);
    await exchange({ method: 'GET', path: `${path}/12` }, 404);
    await exchange({ method: 'PUT', path: '/accounts/v1/accounts/99999999/parameters/11', body: { value: 1 } }, 404);
    await exchange({ method: 'PUT', path: `${path}/11`, body: { value: 'high' } }, 400, { request: false });
  });

  it('replays a mutating request with the same idempotency key', async () => {
    const acc: TestAccount = await createAccount(app, { headers: h }, { program });
    const headers = { ...h, 'idempotency-key': `customer-${acc.accountId}` };
    const body = personCustomer(acc.accountId);
    const first = await app.http.inject({ method: 'POST', url: '/accounts/v2/customers', headers, payload: body });
    const second = await app.http.inject({ method: 'POST', url: '/accounts/v2/customers', headers, payload: body });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect((await get(`/accounts/v2/accounts/${acc.accountId}/customers`)).items).toHaveLength(2);
    const phoneHeaders = { ...h, 'x-idempotency-key': `phone-${acc.accountId}` };
    const phone = { number: '5550000', type: 'MOBILE' };
    const p1 = await app.http.inject({ method: 'POST', url: `/accounts/v1/accounts/${acc.accountId}/phones`, headers: phoneHeaders, payload: phone });
    const p2 = await app.http.inject({ method: 'POST', url: `/accounts/v1/accounts/${acc.accountId}/phones`, headers: phoneHeaders, payload: phone });
    expect(p2.json()).toEqual(p1.json());
  });
});
