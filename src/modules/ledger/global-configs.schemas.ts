// Schemas of Pismo's Balances and limits API (Core_platform_-_Balances_and_limits.yaml): program
// limits (global configs) and related accounts' limits.
import { Type, type Static } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { MAX_API_AMOUNT } from './limits.schemas.js';

const GlobalConfigLimit = Type.Object(
  {
    value: Amount({ minimum: 0, maximum: MAX_API_AMOUNT, description: "Configured program limit, in the program's currency." }),
    is_active: Type.Optional(Type.Boolean({ description: 'Whether the limit applies; required when value is greater than 0, else false by default.' })),
  },
  { title: 'GlobalConfigLimit' },
);
const GlobalConfigLimits = Type.Object({ max_credit_limit: GlobalConfigLimit }, { title: 'GlobalConfigLimits' });

export const CreateGlobalConfigRequest = Type.Object(
  {
    level: Type.String({ description: "Configuration level: only 'PROGRAM'." }),
    program_id: Type.Integer({ minimum: 1, description: 'Program ID.' }),
    limits: GlobalConfigLimits,
  },
  { title: 'CreateGlobalConfigRequest' },
);
export type CreateGlobalConfigRequest = Static<typeof CreateGlobalConfigRequest>;

export const UpdateGlobalConfigRequest = Type.Object({ limits: GlobalConfigLimits }, { title: 'UpdateGlobalConfigRequest' });
export type UpdateGlobalConfigRequest = Static<typeof UpdateGlobalConfigRequest>;

export const GlobalConfigsQuery = Type.Object({ programId: Type.Optional(Type.String({ description: 'Program ID (a positive integer).' })) });
export const ProgramIdParams = Type.Object({ programId: Type.String({ description: 'Program ID.' }) });

export const GetGlobalConfigResponse = Type.Object(
  {
    level: Type.Literal('PROGRAM'),
    program_id: Type.Integer(),
    limits: Type.Object({
      max_credit_limit: Type.Object({
        value: Type.Number(),
        is_active: Type.Boolean(),
        accumulated: Type.Number({ description: "The sum of the max_credit_limit of the program's accounts." }),
      }),
    }),
  },
  { title: 'GetGlobalConfigResponse' },
);
export type GetGlobalConfigResponse = Static<typeof GetGlobalConfigResponse>;

const N = (description: string) => Type.Optional(Type.Number({ description }));
const limitFields = {
  account_id: Type.Integer({ description: 'Account ID.' }),
  program_id: Type.Integer({ description: 'Program ID.' }),
  available_credit_limit: N('What the account may spend now.'),
  available_withdrawal_credit: N('Amount available for withdrawal in the credit account.'),
  held_funds: N('Funds held on the account.'),
  max_credit_limit: N('Maximum credit amount approved for this account.'),
  total_credit_limit: N('Total credit limit, up to max_credit_limit.'),
  withdrawal_credit_limit: N('Amount limit for withdrawal in credit programs.'),
  total_overdraft_limit: N('Maximum limit for overdraft spending on the account.'),
  percentage_over_limit: N('Percentage of max_credit_limit available over the credit limit.'),
  total_installment_credit_limit: N('Amount limit for installments in the credit account.'),
  available_total_installment_credit: N('Available amount for installments in the credit account.'),
  currency_code: Type.String({ description: 'ISO-4217 alphabetic code.' }),
  currency_numeric_code: Type.String({ description: 'ISO-4217 numeric code.' }),
};

export const RelatedAccountResponse = Type.Object(
  { ...limitFields, parent_account_id: Type.Integer({ description: 'Parent account ID.' }) },
  { title: 'RelatedAccountResponse' },
);
export const RelatedAccountsResponse = Type.Object(
  { ...limitFields, related_accounts: Type.Array(RelatedAccountResponse, { description: "The account's descendants (children, their children, up to three levels)." }) },
  { title: 'RelatedAccountsResponse' },
);
export type RelatedAccountsResponse = Static<typeof RelatedAccountsResponse>;
