// Schemas of GET /lastro/v1/ledger/verify (Lastro-only). Amounts are minor units as int64 text.
import { Type } from 'typebox';

const Minor = (description: string) => Type.String({ pattern: '^-?[0-9]{1,19}$', description: `${description} (minor units, int64 as text).` });

export const VerifyDifference = Type.Union(
  [
    Type.Object({ kind: Type.Literal('UNBALANCED_ENTRY'), entry_id: Type.String(), currency: Type.String(), sum_minor: Minor('What its postings sum to') }),
    Type.Object({ kind: Type.Literal('EMPTY_ENTRY'), entry_id: Type.String() }),
    Type.Object({
      kind: Type.Literal('BALANCE_MISMATCH'),
      account_id: Type.String(),
      currency: Type.String(),
      bucket: Type.Union([Type.Literal('available'), Type.Literal('held'), Type.Literal('current'), Type.Literal('credit_used')]),
      stored_minor: Minor('The stored bucket'),
      posted_minor: Minor('What its postings make'),
    }),
    Type.Object({ kind: Type.Literal('BALANCE_MISSING'), account_id: Type.String(), currency: Type.String(), posted_minor: Minor('Postings without a balance row') }),
    Type.Object({
      kind: Type.Literal('INTERNAL_BALANCE_MISMATCH'),
      internal_account: Type.String(),
      currency: Type.String(),
      shard: Type.Integer(),
      stored_minor: Minor('The stored sub-balance'),
      posted_minor: Minor('What its postings make'),
    }),
  ],
  { title: 'LedgerDifference' },
);

export const VerifyReport = Type.Object(
  {
    org_id: Type.String(),
    ok: Type.Boolean({ description: 'True when every entry balances and every stored balance equals the sum of its postings.' }),
    entries_checked: Type.Integer(),
    accounts_checked: Type.Integer(),
    differences: Type.Array(VerifyDifference, { description: 'Every difference found, up to 1000.' }),
    truncated: Type.Boolean({ description: 'More differences than listed were found.' }),
  },
  { title: 'LedgerVerifyReport' },
);
