// Schemas of account limits: Pismo's Ledger API (GET/PATCH /ledger/v1/accounts/{accountId}/limits)
// and Balances and limits API (PATCH /balances-limits/v1/accounts/{accountId}/limits).
import { Type, type Static } from 'typebox';
import { Amount } from '../../platform/http/amount.js';

/** The largest amount answered exactly as a JSON number in 2-decimal currencies (2^53 minor units). */
export const MAX_API_AMOUNT = 90_071_992_547_409.91;

export const AccountIdParams = Type.Object({ accountId: Type.String({ description: 'Account ID.' }) });

const N = (description: string) => Type.Optional(Type.Number({ description }));

export const AccountLimitGet = Type.Object(
  {
    max_credit_limit: N('Maximum credit amount approved for this account.'),
    available_total_installment_credit: N('Amount available for installments in the credit account.'),
    available_withdrawal_credit: N('Amount available for withdrawal in the credit account.'),
    total_overdraft_limit: N('Maximum limit for overdraft spending on the account.'),
    total_installment_credit_limit: N('Amount limit for installments in the credit account.'),
    total_credit_limit: N('Total credit limit as set by the user, up to max_credit_limit.'),
    percentage_over_limit: N('Percentage of max_credit_limit available for purchases over the credit limit.'),
    available_monthly_credit: N('Monthly amount available in the credit account.'),
    available_credit_limit: N('What the account may spend now: credit accounts their credit limit left, others their balance plus overdraft.'),
    monthly_credit_limit: N('Monthly credit limit amount on the account.'),
    held_funds: N('Funds held or blocked on the account.'),
    withdrawal_credit_limit: N('Amount limit for withdrawal in credit programs.'),
    currency_code: Type.String({ description: 'ISO-4217 alphabetic code.' }),
    currency_numeric_code: Type.String({ description: 'ISO-4217 numeric code.' }),
  },
  { title: 'AccountLimitGet' },
);
export type AccountLimitGet = Static<typeof AccountLimitGet>;

export const AccountLimitPatch = Type.Object(
  {
    max_credit_limit: Type.Optional(Amount({ minimum: 0, maximum: MAX_API_AMOUNT, description: 'Maximum credit amount approved for this account; not less than total_credit_limit.' })),
    total_credit_limit: Type.Optional(Amount({ minimum: 0, maximum: MAX_API_AMOUNT, description: 'Total credit limit, up to max_credit_limit.' })),
    total_overdraft_limit: Type.Optional(Amount({ minimum: 0, maximum: MAX_API_AMOUNT, description: 'Maximum limit for overdraft spending on the account.' })),
    percentage_over_limit: Type.Optional(Type.Number({ minimum: 0, maximum: 10000, description: 'Percentage of max_credit_limit available over the credit limit.' })),
    total_installment_credit_limit: Type.Optional(Amount({ minimum: 0, maximum: MAX_API_AMOUNT, description: 'Amount limit for installments on this credit account.' })),
  },
  { title: 'AccountLimitPatch' },
);
export type AccountLimitPatch = Static<typeof AccountLimitPatch>;
