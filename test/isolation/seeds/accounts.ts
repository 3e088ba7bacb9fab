// Isolation seed of accounts: a credit program with an account opened by an application (owner,
// address, phone), a second customer with an address, a phone and a parameter of the account, a
// prospect application, a child account, a status and a reason; and the
// routes that name an account, a program or a parent account in their body.
import type { IsolationSeed, RuleContext } from '../walk.js';

let doc = 0;
const document = (): string => `walk-${(doc += 1)}-${Date.now() % 100_000}`.slice(0, 15);

/** A submitted application in B's program, for the default case of the create route. */
const applicationOf = (program: string, dueDate: string, extra: Record<string, unknown> = {}) => ({
  application: {
    submit: true,
    program_id: Number(program),
    due_date: Number(dueDate),
    applicant: {
      document_number: document(),
      personal: { name: 'Walk Person' },
      account: { granted_limit: 100, limit: 50 },
      ...extra,
    },
  },
});

/** A status name of capital letters only, unique per call. */
const letters = (n: number): string => [...String(n)].map((d) => 'ABCDEFGHIJ'[Number(d)]).join('');

const own = ({ b }: RuleContext) => applicationOf(b.value('accountsProgram'), b.value('accountsDueDate'));

export const accountsSeed: IsolationSeed = {
  module: 'accounts',
  async seed(s) {
    const program = await s.call('POST', '/programs/v1/programs/template', {
      name: s.mark('accounts-program'),
      type: 'CREDITO',
      timezone: 'America/Sao_Paulo',
      currency_numeric_code: '986',
      country_code: 'BRA',
      bin: { value: '999999', start_range: '0', end_range: '999999999' },
      brand: 'VISA',
      due_dates: [{ day: 10, active: true }],
    });
    const programId = String(program.id);
    const dueDate = String(program.due_dates[0].id);
    const documentNumber = s.mark('doc').slice(0, 15);
    const created = await s.call('POST', '/acquisitions/v3/s2s/applications', {
      application: {
        submit: true,
        program_id: program.id,
        due_date: program.due_dates[0].id,
        applicant: {
          document_number: documentNumber,
          birth_date: '1980-01-31',
          personal: { name: s.mark('owner'), email: `${s.mark('owner').toLowerCase()}@example.com` },
          account: { granted_limit: 1000, limit: 500, external_id: s.mark('account-ext'), account_name: s.mark('account-name').slice(0, 60) },
          addresses: [
            { address: s.mark('street'), city: 'Smallville', state: 'KS', country: 'USA', zip_code: '01234', neighborhood: 'Creek', address_type: 'RESIDENTIAL', mailing_address: true },
          ],
          phones: [{ phone: '555-1234', phone_type: 'MOBILE', country_code: '55', area_code: 11 }],
        },
      },
    }, 201);
    const account = String(created.account_id);
    const child = await s.call('POST', '/acquisitions/v3/s2s/applications', {
      application: {
        submit: true,
        program_id: program.id,
        due_date: program.due_dates[0].id,
        applicant: {
          document_number: documentNumber,
          personal: { name: s.mark('child-owner') },
          account: { granted_limit: 10, account_type: 'VIRTUAL', parent_account_id: created.account_id, external_id: s.mark('child-ext') },
        },
      },
    }, 201);
    const prospect = await s.call('POST', '/acquisitions/v3/s2s/applications', {
      application: { submit: false, program_id: program.id, applicant: { document_number: 'prospect-1', personal: { name: s.mark('prospect') } } },
    }, 201);
    const status = await s.call('POST', '/accounts/v4/statuses', { name: 'WALK_FROZEN', description: s.mark('status'), allowed_operations: 'NO_OPERATIONS' }, 201);
    const reason = await s.call('POST', '/accounts/v4/reasons', { name: s.mark('reason'), external_id: s.mark('reason-ext') }, 201);
    const channel = await s.call('POST', '/lastro/v1/acquisition-channels', { program_id: program.id, type: 'Webapp', name: s.mark('channel') }, 201);
    await s.call('PATCH', `/accounts/v2/accounts/${account}/status`, { status: 'BLOCKED', reason_id: reason.reason_id }, 204);
    // A second customer (a person) with its own phone, an address and a parameter of the account.
    const customer = await s.call('POST', '/accounts/v2/customers', {
      account_id: created.account_id,
      entity: { name: s.mark('customer'), document_number: s.mark('cdoc').slice(0, 15), person: { occupation: s.mark('occupation').slice(0, 60) } },
      customer: { is_owner: false, nickname: s.mark('nickname') },
    }, 201);
    const address = await s.call('POST', `/accounts/v1/accounts/${account}/addresses`, {
      type: 'COMMERCIAL', address: s.mark('office'), number: '42', zip_code: '01234', city: 'Smallville', state: 'KS', country: 'USA', neighborhood: 'Creek',
    }, 201);
    const phone = await s.call('POST', `/accounts/v1/accounts/${account}/phones`, { number: '555-4321', type: 'MOBILE', extension: s.mark('ext').slice(0, 10) }, 200);
    // Parameter ids name Pismo's parameters, the same in every org: each org sets its own one (the
    // account's id) so that B's account has no value for A's.
    const parameterId = account;
    await s.call('PUT', `/accounts/v1/accounts/${account}/parameters/${parameterId}`, { value: 0.01 }, 200);
    return {
      params: {
        '/accounts/v1/accounts/{accountId}': [{ accountId: account }, { accountId: String(child.account_id) }],
        '/accounts/v2/accounts/{accountId}/status': [{ accountId: account }],
        '/accounts/v2/accounts/{accountId}/status/rollback': [{ accountId: account }],
        '/acquisitions/v2/s2s/applications/{applicationId}': [{ applicationId: String(created.application_id) }, { applicationId: String(prospect.application_id) }],
        '/acquisitions/v2/programs/{programId}/channels': [{ programId }],
        '/accounts/v2/customers/{customerId}': [{ customerId: String(created.customer_id) }, { customerId: String(customer.customer_id) }],
        '/accounts/v2/accounts/{accountId}/customers': [{ accountId: account }],
        '/accounts/v1/accounts/{accountId}/customers/{customerId}/detail': [{ accountId: account, customerId: String(customer.customer_id) }],
        '/accounts/v1/accounts/{accountId}/addresses': [{ accountId: account }],
        '/accounts/v1/accounts/{accountId}/addresses/{addressId}': [{ accountId: account, addressId: String(address.id) }],
        '/accounts/v1/accounts/{accountId}/phones': [{ accountId: account }],
        '/accounts/v1/accounts/{accountId}/phones/{phoneId}': [{ accountId: account, phoneId: String(phone.id) }],
        '/accounts/v1/accounts/{accountId}/parameters': [{ accountId: account }],
        '/accounts/v1/accounts/{accountId}/parameters/{parameterId}': [{ accountId: account, parameterId }],
      },
      values: {
        account,
        childAccount: String(child.account_id),
        accountsProgram: programId,
        accountsDueDate: dueDate,
        application: String(created.application_id),
        prospect: String(prospect.application_id),
        customer: String(created.customer_id),
        secondCustomer: String(customer.customer_id),
        status: String(status.status_id),
        reason: String(reason.reason_id),
        reasonName: s.mark('reason'),
        channel: String(channel.id),
        accountDocument: documentNumber,
      },
      markers: [s.mark('customer'), s.mark('nickname'), s.mark('office'), s.mark('ext').slice(0, 10), s.mark('owner'), s.mark('account-ext'), s.mark('child-ext'), s.mark('status'), s.mark('reason'), s.mark('reason-ext'), s.mark('channel'), s.mark('prospect')],
      snapshot: [
        `/accounts/v1/accounts/${account}?show_children=true`,
        `/accounts/v1/accounts/${String(child.account_id)}`,
        '/accounts/v4/statuses?perPage=100',
        '/accounts/v4/reasons?perPage=100',
        `/acquisitions/v2/programs/${programId}/channels?perPage=100`,
        `/acquisitions/v2/s2s/applications/${String(created.application_id)}`,
        `/acquisitions/v2/s2s/applications/${String(prospect.application_id)}`,
        `/accounts/v2/customers/${String(customer.customer_id)}`,
        `/accounts/v2/accounts/${account}/customers`,
        `/accounts/v1/accounts/${account}/addresses`,
        `/accounts/v1/accounts/${account}/phones`,
        `/accounts/v1/accounts/${account}/parameters`,
      ],
    };
  },
  routes: {
    'PATCH /accounts/v1/accounts/{accountId}': {
      cases: ({ a, b }) => [
        {
          label: "B's account, A's account as parent",
          params: { accountId: b.value('account') },
          body: { parent_account_id: Number(a.value('account')) },
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.parent_account_id', reason: "another org's account is no parent for B" },
        },
      ],
    },
    'POST /acquisitions/v3/s2s/applications': {
      body: own,
      cases: ({ a, b }) => [
        {
          label: "A's program",
          body: applicationOf(a.value('accountsProgram'), a.value('accountsDueDate')),
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.application.program_id', reason: "another org's program names no program of B" },
        },
        {
          label: "A's account as parent",
          body: applicationOf(b.value('accountsProgram'), b.value('accountsDueDate'), {
            account: { granted_limit: 10, account_type: 'VIRTUAL', parent_account_id: Number(a.value('account')), external_id: 'walk-child' },
          }),
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.application.applicant.account.parent_account_id', reason: "another org's account is no parent for B" },
        },
        {
          label: "A's channel",
          body: { application: { ...own({ a, b } as RuleContext).application, program_id: undefined, acquisition_channel: Number(a.value('channel')) } },
          expect: { status: 400, code: 'INVALID_ACQUISITION_CHANNEL', reason: "another org's channel is no channel of B" },
        },
        {
          label: "A's document in B's program",
          body: applicationOf(b.value('accountsProgram'), b.value('accountsDueDate'), { document_number: a.value('accountDocument') }),
          expect: { status: '2xx', reason: "a document is checked per program: A's accounts do not count in B's" },
        },
      ],
    },
    'GET /acquisitions/v2/programs/{programId}/channels': {
      expect: { status: 200, reason: "another org's program has no channels for B: an empty list, as for a program with none" },
      check: (res) => (res.json().total_items === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
    },
    'POST /lastro/v1/acquisition-channels': {
      body: ({ b }) => ({ program_id: Number(b.value('accountsProgram')), type: 'Webapp', name: 'walk channel' }),
      cases: ({ a }) => [
        {
          label: "A's program",
          body: { program_id: Number(a.value('accountsProgram')), type: 'Webapp', name: 'walk channel' },
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'body.program_id', reason: "another org's program names no program of B" },
        },
      ],
    },
    'GET /accounts/v4/reasons': {
      cases: ({ a }) => [
        {
          label: "A's reason name",
          query: `name=${encodeURIComponent(a.value('reasonName'))}`,
          expect: { status: 200, reason: "a filter on another org's reason matches nothing" },
          check: (res) => (res.json().total_items === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
        },
      ],
    },
    'POST /accounts/v4/reasons': {
      body: () => ({ name: `walk reason ${(doc += 1)}` }),
      cases: ({ a }) => [
        {
          label: "A's reason name",
          body: { name: a.value('reasonName') },
          expect: { status: '2xx', reason: "reason names are per org: A's name is free in B" },
        },
      ],
    },
    'PATCH /accounts/v2/accounts/{accountId}/status': {
      cases: ({ a, b }) => [
        {
          label: "B's account, A's reason",
          params: { accountId: b.value('account') },
          body: { status: 'BLOCKED', reason_id: Number(a.value('reason')) },
          expect: { status: 400, code: 'REASON_NOT_FOUND', reason: "another org's reason is not a reason of B" },
        },
      ],
    },
    'POST /accounts/v3/accounts/search': {
      body: ({ b }) => ({ document_number: b.value('accountDocument') }),
      cases: ({ a, b }) => [
        {
          label: "A's document",
          body: { document_number: a.value('accountDocument') },
          // The applications rule opens an account of B with A's document (documents are per org).
          expect: { status: [200, 404], reason: "another org's accounts are not found by their document; only B's own may be" },
          check: (res) =>
            res.status === 404 || res.json().every((i: { program_id: number }) => i.program_id === Number(b.value('accountsProgram')))
              ? undefined
              : `an account outside B's program: ${res.body.slice(0, 300)}`,
        },
      ],
    },
    'POST /accounts/v5/accounts/search': {
      body: () => ({ phone: { number: 'walk-555-1234'.slice(0, 15) } }),
      cases: () => [
        {
          label: "A's phone number",
          body: { phone: { number: '555-1234' } },
          expect: { status: 200, reason: "B's own accounts have this number too; none of A's may show" },
          check: (res) => (res.json().items.every((i: { account_id: number }) => i.account_id > 0) ? undefined : 'bad items'),
        },
      ],
    },
    'POST /accounts/v2/customers': {
      body: ({ b }) => ({ account_id: Number(b.value('account')), entity: { name: 'Walk Customer', document_number: document() }, customer: { is_owner: false } }),
      cases: ({ a }) => [
        {
          label: "A's account",
          body: { account_id: Number(a.value('account')), entity: { name: 'Walk Customer', document_number: document() }, customer: { is_owner: false } },
          expect: { status: 404, code: 'ACCOUNT_NOT_FOUND', reason: "another org's account is not found for B" },
        },
      ],
    },
    'POST /accounts/v1/accounts/{accountId}/phones': {
      cases: ({ a, b }) => [
        {
          label: "B's account, A's customer in x-customer-id",
          params: { accountId: b.value('account') },
          headers: { 'x-customer-id': a.value('secondCustomer') },
          body: { number: 'walk-phone', type: 'MOBILE' },
          expect: { status: 400, code: 'VALIDATION_ERROR', field: 'headers.x-customer-id', reason: "another org's customer is no customer of B's account" },
        },
      ],
    },
    'PUT /accounts/v1/accounts/{accountId}/parameters/{parameterId}': {
      // With B's own account and A's parameter id the walk sets B's own value: parameter ids name
      // Pismo's parameters, not objects of an org. A's account stays out of reach (the case below).
      expect: { status: [200, 404], reason: "parameter ids are the same in every org: B may set one on its own account, never on A's" },
      cases: ({ a, b }) => [
        {
          label: "A's account, B's parameter id",
          params: { accountId: a.value('account'), parameterId: b.value('account') },
          body: { value: 1 },
          expect: { status: 404, code: 'ACCOUNT_NOT_FOUND', reason: "another org's account is not found for B" },
        },
      ],
    },
    'POST /accounts/v4/statuses': {
      body: () => ({ name: `WALK_${letters((doc += 1))}`, allowed_operations: 'ALL_OPERATIONS' }),
    },
  },
};
