// Isolation seed of money movement: a debit account with money in it, a transfer to cancel, a
// hold with part of it transferred, payment methods cash-ins (one pre-authorized), a virtual child
// account, a program limit (and a program without one); and the routes that name an account, a
// transfer, a hold, an authorization or a program in their body or query.
import type { IsolationSeed, RuleContext, WalkCase } from '../walk.js';

const PAYMENTS = '/payments/v1/payments';
const PM = '/payment-methods/v2/payments';
const CONFIGS = '/balances-limits/v1/global-configs';
const HOLDS = '/payments/v1/payments/hold-funds';

const cashIn = (account: string, amount = 10) => ({
  from: [{ custom_info: { type: 'DEPOSIT' } }],
  to: [{ processing_code: '004000', amount, account: { id: Number(account) } }],
});
const hold = (account: string, tracking: string, amount = 0.01, code = '002000') => ({
  tracking_id: tracking,
  account_id: Number(account),
  amount,
  processing_code: code,
});
const asAccount = (account: string) => ({ 'x-account-id': account });
const refused = (label: string, body: unknown, headers?: Record<string, string>): WalkCase => ({
  label,
  body,
  ...(headers ? { headers } : {}),
  expect: { status: [400, 404, 422], reason: "another org's account, transfer or hold is none of B's" },
});

let n = 0;
const uuid = (): string => `00000000-0000-4000-8000-${String((n += 1)).padStart(12, '0')}`;

export const ledgerMoneySeed: IsolationSeed = {
  module: 'ledger-money',
  async seed(s) {
    const program = await s.call('POST', '/programs/v1/programs/template', {
      name: s.mark('money-program'),
      type: 'DEBITO',
      timezone: 'America/Sao_Paulo',
      currency_numeric_code: '986',
      country_code: 'BRA',
      bin: { value: '999999', start_range: '0', end_range: '999999999' },
      brand: 'VISA',
    });
    const opened = await s.call('POST', '/acquisitions/v3/s2s/applications', {
      application: {
        submit: true,
        program_id: program.id,
        applicant: { document_number: s.mark('money-doc').slice(0, 15), personal: { name: s.mark('money-owner') }, account: { overdraft_limit: 10 } },
      },
    }, 201);
    const account = String(opened.account_id);
    // The transfer's other side is an account of this seed: the accounts seed's account has its
    // status changed by the walk (a blocked account could not give back what a cancel reverses).
    const received = await s.call('POST', '/acquisitions/v3/s2s/applications', {
      application: {
        submit: true,
        program_id: program.id,
        applicant: { document_number: s.mark('payee').slice(0, 15), personal: { name: s.mark('money-payee') }, account: { overdraft_limit: 10 } },
      },
    }, 201);
    const other = String(received.account_id);
    const call = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await s.app.http.inject({ method: 'POST', url, headers: { ...s.headers, ...headers }, payload: body as object });
      if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    await call(PAYMENTS, cashIn(account, 1000), asAccount(account));
    const transfer = uuid();
    const paid = await call(PAYMENTS, { tracking_id: transfer, from: [{ processing_code: '002000', amount: 5, account: { id: Number(account) } }], to: [{ processing_code: '004000', account: { id: Number(other) } }] }, asAccount(account));
    const listed = await s.app.http.inject({
      method: 'GET',
      url: `/transactions-core/v2/transactions?authorizationTrackingId=${transfer}`,
      headers: { ...s.headers, ...asAccount(account) },
    });
    const transaction = String(listed.json().items[0].id);
    const holdTracking = s.mark('hold').slice(0, 36);
    await call(`${HOLDS}/block`, hold(account, holdTracking, 100));
    await call(`${HOLDS}/transfer`, hold(account, holdTracking, 1));
    // Payment methods: a posted cash-in (cancelled a cent at a time by the walk) and a
    // pre-authorized one (confirmed by it).
    const pmPosted = uuid();
    const pmPending = uuid();
    await call(PM, { account_id: Number(account), amount: 50, processing_code: '219803', tracking_id: pmPosted }, asAccount(account));
    await call(PM, { account_id: Number(account), amount: 5, processing_code: '219803', tracking_id: pmPending, pre_authorization: true }, asAccount(account));
    const child = await s.call('POST', '/acquisitions/v3/s2s/applications', {
      application: {
        submit: true,
        program_id: program.id,
        applicant: {
          document_number: s.mark('child-doc').slice(0, 15),
          personal: { name: s.mark('money-child') },
          account: { account_type: 'VIRTUAL', parent_account_id: Number(account), external_id: s.mark('child-ext') },
        },
      },
    }, 201);
    await s.call('POST', CONFIGS, { level: 'PROGRAM', program_id: program.id, limits: { max_credit_limit: { value: 5000, is_active: true } } }, 201);
    const configless = await s.call('POST', '/programs/v1/programs/template', {
      name: s.mark('configless-program'),
      type: 'DEBITO',
      timezone: 'America/Sao_Paulo',
      currency_numeric_code: '986',
      country_code: 'BRA',
      bin: { value: '999998', start_range: '0', end_range: '999999999' },
      brand: 'VISA',
    });
    return {
      params: {
        '/ledger/v1/accounts/{accountId}/limits': [{ accountId: account }, { accountId: other }],
        '/balances-limits/v1/accounts/{accountId}/related-accounts-limits': [{ accountId: account }],
        '/balances-limits/v1/global-configs/program/{programId}': [{ programId: String(program.id) }],
        '/balances-limits/v1/accounts/{accountId}/limits': [{ accountId: account }],
        '/balances-limits/v1/accounts/{accountId}/daily-balances': [{ accountId: account }],
        '/transactions-core/v2/transactions/{transactionId}': [{ transactionId: transaction }],
      },
      values: {
        moneyAccount: account,
        moneyTransfer: transfer,
        moneyAuthorization: String(paid.authorization_ids.debit),
        moneyHold: holdTracking,
        moneyTransaction: transaction,
        moneyProgram: String(program.id),
        moneyConfiglessProgram: String(configless.id),
        moneyChild: String(child.account_id),
        pmPosted,
        pmPending,
      },
      markers: [],
      snapshot: [
        `/ledger/v1/accounts/${account}/limits`,
        `/ledger/v1/accounts/${other}/limits`,
        `/balances-limits/v1/accounts/${account}/related-accounts-limits`,
        `${CONFIGS}?programId=${program.id}`,
      ],
    };
  },
  routes: {
    'GET /transactions-core/v2/transactions': {
      query: ({ b }: RuleContext) => `authorizationTrackingId=${b.value('moneyTransfer')}`,
      headers: ({ b }: RuleContext) => asAccount(b.value('moneyAccount')),
      cases: ({ a, b }) => [
        {
          label: "A's tracking id",
          query: `authorizationTrackingId=${a.value('moneyTransfer')}`,
          headers: asAccount(b.value('moneyAccount')),
          expect: { status: 200, reason: "a filter on another org's transfer matches nothing" },
          check: (res) => (res.json().items?.length === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
        },
        {
          label: "A's account",
          query: `authorizationTrackingId=${a.value('moneyTransfer')}`,
          headers: asAccount(a.value('moneyAccount')),
          expect: { status: [200, 400, 404], reason: "another org's account has no transactions for B" },
          check: (res) => (res.status !== 200 || res.json().items?.length === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
        },
      ],
    },
    'GET /transactions-core/v2/transactions/{transactionId}': {
      headers: ({ b }: RuleContext) => asAccount(b.value('moneyAccount')),
    },
    [`POST ${PAYMENTS}`]: {
      body: ({ b }: RuleContext) => cashIn(b.value('moneyAccount'), 1),
      headers: ({ b }: RuleContext) => asAccount(b.value('moneyAccount')),
      cases: ({ a, b }) => [
        refused("A's account credited", { from: [{ processing_code: '002000', amount: 1, account: { id: Number(b.value('moneyAccount')) } }], to: [{ processing_code: '004000', account: { id: Number(a.value('moneyAccount')) } }] }, asAccount(b.value('moneyAccount'))),
        refused("A's account debited", { from: [{ processing_code: '002000', amount: 1, account: { id: Number(a.value('moneyAccount')) } }], to: [{ custom_info: { type: 'WITHDRAWAL' } }] }, asAccount(a.value('moneyAccount'))),
      ],
    },
    [`POST ${PM}`]: {
      body: ({ b }: RuleContext) => ({ account_id: Number(b.value('moneyAccount')), amount: 1, processing_code: '219803', tracking_id: uuid() }),
      headers: ({ b }: RuleContext) => asAccount(b.value('moneyAccount')),
      cases: ({ a, b }) => [
        refused("A's account in the body", { account_id: Number(a.value('moneyAccount')), amount: 1, processing_code: '002000', tracking_id: uuid() }, asAccount(b.value('moneyAccount'))),
        refused("A's account", { account_id: Number(a.value('moneyAccount')), amount: 1, processing_code: '002000', tracking_id: uuid() }, asAccount(a.value('moneyAccount'))),
      ],
    },
    [`POST ${PM}/confirm`]: {
      body: ({ b }: RuleContext) => ({ tracking_id: uuid(), original_tracking_id: b.value('pmPending') }),
      headers: ({ b }: RuleContext) => asAccount(b.value('moneyAccount')),
      cases: ({ a, b }) => [refused("A's pre-authorization", { tracking_id: uuid(), original_tracking_id: a.value('pmPending') }, asAccount(b.value('moneyAccount')))],
    },
    [`POST ${PM}/cancel`]: {
      body: ({ b }: RuleContext) => ({ tracking_id: uuid(), original_tracking_id: b.value('pmPosted'), amount: 0.01 }),
      headers: ({ b }: RuleContext) => asAccount(b.value('moneyAccount')),
      cases: ({ a, b }) => [refused("A's cash-in", { tracking_id: uuid(), original_tracking_id: a.value('pmPosted'), amount: 0.01 }, asAccount(b.value('moneyAccount')))],
    },
    [`POST ${CONFIGS}`]: {
      body: ({ b }: RuleContext) => ({ level: 'PROGRAM', program_id: Number(b.value('moneyConfiglessProgram')), limits: { max_credit_limit: { value: 10, is_active: true } } }),
      cases: ({ a }) => [
        {
          label: "A's program",
          body: { level: 'PROGRAM', program_id: Number(a.value('moneyConfiglessProgram')), limits: { max_credit_limit: { value: 10, is_active: true } } },
          expect: { status: 400, code: 'WBLS0002', reason: "another org's program is not one of B's" },
        },
      ],
    },
    [`GET ${CONFIGS}`]: {
      cases: ({ a }) => [
        { label: "A's program", query: `programId=${a.value('moneyProgram')}`, expect: { status: 404, code: 'WBLS0007', reason: "B has no limit for another org's program" } },
      ],
    },
    [`PATCH ${CONFIGS}/program/{programId}`]: {
      body: () => ({ limits: { max_credit_limit: { value: 1, is_active: true } } }),
    },
    'POST /payments/v2/cancel': {
      body: ({ b }: RuleContext) => ({ original_tracking_id: b.value('moneyTransfer'), amount: 5 }),
      cases: ({ a }) => [
        refused("A's transfer", { original_tracking_id: a.value('moneyTransfer'), amount: 5 }),
        refused("A's authorization", { authorization_id: Number(a.value('moneyAuthorization')), amount: 5 }),
      ],
    },
    [`POST ${HOLDS}/block`]: {
      body: ({ b }: RuleContext) => hold(b.value('moneyAccount'), `walk-block-${(n += 1)}`),
      cases: ({ a }) => [refused("A's account", hold(a.value('moneyAccount'), `walk-block-${(n += 1)}`))],
    },
    [`POST ${HOLDS}/unblock`]: {
      body: ({ b }: RuleContext) => hold(b.value('moneyAccount'), b.value('moneyHold'), 0.01, '004000'),
      cases: ({ a, b }) => [
        refused("A's account and hold", hold(a.value('moneyAccount'), a.value('moneyHold'), 0.01, '004000')),
        refused("A's hold on B's account", hold(b.value('moneyAccount'), a.value('moneyHold'), 0.01, '004000')),
      ],
    },
    [`POST ${HOLDS}/transfer`]: {
      body: ({ b }: RuleContext) => hold(b.value('moneyAccount'), b.value('moneyHold'), 0.01),
      cases: ({ a, b }) => [refused("A's hold on B's account", hold(b.value('moneyAccount'), a.value('moneyHold'), 0.01))],
    },
    [`POST ${HOLDS}/transfer/cancel`]: {
      body: ({ b }: RuleContext) => ({ tracking_id: `walk-undo-${(n += 1)}`, original_tracking_id: b.value('moneyHold'), account_id: Number(b.value('moneyAccount')), amount: 1, processing_code: '004000' }),
      cases: ({ a, b }) => [
        refused("A's hold on B's account", { tracking_id: `walk-undo-${(n += 1)}`, original_tracking_id: a.value('moneyHold'), account_id: Number(b.value('moneyAccount')), amount: 1, processing_code: '004000' }),
      ],
    },
  },
};
