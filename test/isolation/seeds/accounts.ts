// Isolation seed of accounts: a credit program with an account opened by an application (owner,
// address, phone), a prospect application, a child account, a status and a reason; and the
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
    return {
      params: {
        '/accounts/v1/accounts/{accountId}': [{ accountId: account }, { accountId: String(child.account_id) }],
      },
      values: {
        account,
        childAccount: String(child.account_id),
        accountsProgram: programId,
        accountsDueDate: dueDate,
        application: String(created.application_id),
        prospect: String(prospect.application_id),
        customer: String(created.customer_id),
        status: String(status.status_id),
        accountDocument: documentNumber,
      },
      markers: [s.mark('owner'), s.mark('account-ext'), s.mark('child-ext'), s.mark('status')],
      snapshot: [`/accounts/v1/accounts/${account}?show_children=true`, `/accounts/v1/accounts/${String(child.account_id)}`, '/accounts/v4/statuses?perPage=100'],
    };
  },
  routes: {
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
          label: "A's document in B's program",
          body: applicationOf(b.value('accountsProgram'), b.value('accountsDueDate'), { document_number: a.value('accountDocument') }),
          expect: { status: '2xx', reason: "a document is checked per program: A's accounts do not count in B's" },
        },
      ],
    },
    'POST /accounts/v4/statuses': {
      body: () => ({ name: `WALK_${letters((doc += 1))}`, allowed_operations: 'ALL_OPERATIONS' }),
    },
  },
};
