// Isolation seed of the ledger's configuration: an authorization code with its own reversal code,
// two transaction types and the flows that make the code SUCCESS, plus a spare type; and the
// routes that name a code or a type in a body or a query.
import { createHash } from 'node:crypto';
import type { IsolationSeed, WalkCase } from '../walk.js';

const CODES = '/orgs-operation/v1/processing-codes';
const TYPES = '/transactions-core/v1/transaction-types';
const FLOWS = '/transactions-core/v1/transaction-flow';

const emptyItems = (label: string, query: string): WalkCase => ({
  label,
  query,
  expect: { status: 200, reason: "a filter on another org's object matches nothing" },
  check: (res) => (res.json().items?.length === 0 ? undefined : `expected no items, got ${res.body.slice(0, 300)}`),
});

export const ledgerSeed: IsolationSeed = {
  module: 'ledger',
  async seed(s) {
    // From the org's tag (a hash of one of its marks), so A's codes and ids never coincide with B's.
    const hash = createHash('sha256').update(s.mark('ledger')).digest();
    const tag = hash.toString('hex').toUpperCase();
    const code = `L${tag.slice(0, 5)}`;
    const reversal = `R${tag.slice(0, 5)}`;
    const base = 1000 + (hash.readUInt32BE(8) % 1_000_000_000) * 4;
    const [debitType, creditType, spareType] = [base, base + 1, base + 2];
    await s.call('POST', CODES, {
      processing_code: code,
      balance_impact: -1,
      description: s.mark('code'),
      reversal_processing_code: reversal,
      reversal_description: s.mark('reversal'),
    });
    await s.call('POST', TYPES, { transaction_type_id: debitType, description: s.mark('debit-type'), credit: false, posted_transaction: true });
    await s.call('POST', TYPES, { transaction_type_id: creditType, description: s.mark('credit-type'), credit: true, posted_transaction: true });
    await s.call('POST', TYPES, { transaction_type_id: spareType, description: s.mark('spare-type'), credit: false, posted_transaction: true });
    await s.call('POST', FLOWS, { transaction_type_id: debitType, processing_code: code, key: 'PRINCIPAL' });
    await s.call('POST', FLOWS, { transaction_type_id: creditType, processing_code: reversal, key: 'PRINCIPAL' });
    const status = (await s.call('GET', `${CODES}/${code}`)).status;
    if (status !== 'SUCCESS') throw new Error(`processing code ${code} is ${status} after its flows`);
    return {
      params: {
        [`${CODES}/{processingCode}`]: [{ processingCode: code }, { processingCode: reversal }],
        '/transactions-core/v1/transaction-type/{transactionTypeId}': [{ transactionTypeId: String(debitType) }, { transactionTypeId: String(creditType) }],
        [`${TYPES}/{transactionTypeId}`]: [{ transactionTypeId: String(debitType) }],
        [`${FLOWS}/processing-code/{processingCode}/transaction-type/{transactionTypeId}`]: [{ processingCode: code, transactionTypeId: String(debitType) }],
      },
      values: {
        ledgerCode: code,
        ledgerReversalCode: reversal,
        ledgerDebitType: String(debitType),
        ledgerSpareType: String(spareType),
        ledgerTypeDescription: s.mark('debit-type'),
      },
      markers: [s.mark('code'), s.mark('reversal'), s.mark('debit-type'), s.mark('credit-type'), s.mark('spare-type')],
      snapshot: [
        `${CODES}/${code}`,
        `${CODES}/${reversal}`,
        `${CODES}?limit=100`,
        `${TYPES}?transactionTypeId=${debitType}`,
        `/transactions-core/v1/transaction-type/${creditType}`,
        `/transactions-core/v1/transaction-type/${spareType}`,
        `${FLOWS}?processingCode=${code}`,
      ],
    };
  },
  routes: {
    [`POST /orgs-operation/v1/reversal-processing-codes`]: {
      // The generated code (578739) is the reversal code the generated authorization code names.
      body: () => ({ processing_code: 'WALKRV', description: 'walk reversal' }),
    },
    [`POST ${TYPES}`]: {
      body: () => ({ transaction_type_id: 424242, description: 'walk type', credit: false, posted_transaction: true }),
    },
    [`GET ${TYPES}`]: {
      cases: ({ a }) => [
        emptyItems("A's type id", `transactionTypeId=${a.value('ledgerDebitType')}`),
        emptyItems("A's type description", `description=${encodeURIComponent(a.value('ledgerTypeDescription'))}`),
      ],
    },
    [`POST ${FLOWS}`]: {
      body: ({ b }) => ({ transaction_type_id: Number(b.value('ledgerSpareType')), processing_code: b.value('ledgerCode'), key: 'OTHER', custom_key: 'walk' }),
      cases: ({ a, b }) => [
        {
          label: "A's code",
          body: { transaction_type_id: Number(b.value('ledgerSpareType')), processing_code: a.value('ledgerCode'), key: 'OTHER', custom_key: 'walk-a' },
          expect: { status: 400, code: 'WTRC07001', reason: "another org's code does not exist here (Pismo: 400 WTRC07001)" },
        },
        {
          label: "A's type",
          body: { transaction_type_id: Number(a.value('ledgerSpareType')), processing_code: b.value('ledgerCode'), key: 'OTHER', custom_key: 'walk-a' },
          expect: { status: 400, code: 'WTRC05003', reason: "another org's type does not exist here (Pismo: 400 WTRC05003)" },
        },
      ],
    },
    [`GET ${FLOWS}`]: {
      cases: ({ a }) => [emptyItems("A's code", `processingCode=${a.value('ledgerCode')}`), emptyItems("A's type", `transactionTypeId=${a.value('ledgerDebitType')}`)],
    },
    [`PATCH ${FLOWS}/processing-code/{processingCode}/transaction-type/{transactionTypeId}`]: {
      expect: { status: 400, reason: "Pismo answers a flow whose type or code does not exist with 400 (WTRC05003, WTRC04002), another org's included" },
    },
  },
};
