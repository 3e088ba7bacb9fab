// Request and response schemas of Pismo's penalty plans (Lending v1: /lending/v1/penalty-plans):
// a late fee (fixed amount) or penalty interest (a percentage accrued at a frequency over chosen
// balances) on installments PAST_DUE or PARTIALLY_PAID, after optional grace days.
import { Type, type Static } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { CurrencyCode } from './charge-plans.schemas.js';
import { PlanStatus } from './lending.plans.js';

const ApplyWhen = Type.Array(Type.Union([Type.Literal('PAST_DUE'), Type.Literal('PARTIALLY_PAID')]), {
  minItems: 1,
  uniqueItems: true,
  description: 'Installment statuses the penalty applies to.',
});
export const BALANCES = ['PRINCIPAL', 'INTEREST', 'FEE', 'TAX', 'CHARGE', 'PENALTY'] as const;
const ApplyConcerning = Type.Array(Type.Union(BALANCES.map((b) => Type.Literal(b))), {
  minItems: 1,
  uniqueItems: true,
  description: 'The overdue balances the percentage applies to.',
});
const AccrualFrequency = Type.Union([Type.Literal('DAILY'), Type.Literal('WEEKLY'), Type.Literal('MONTHLY'), Type.Literal('YEARLY')], {
  description: 'How often the percentage accrues (Lastro: the percentage is per accrual period).',
});
const GraceDays = Type.Integer({ minimum: 1, maximum: 3650, description: 'Days after the due date before the penalty applies (PAST_DUE only).' });

export const CreatePenaltyPlanBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 32, description: 'Penalty plan code, unique in the org.' }),
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Penalty plan name.' }),
  apply_when: ApplyWhen,
  currency: CurrencyCode,
  grace_days: Type.Optional(GraceDays),
  fixed_amount: Type.Optional(Amount({ exclusiveMinimum: 0, description: 'Late fee, in the plan currency. Pass this or percentage.' })),
  percentage: Type.Optional(
    Type.Object(
      {
        value: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Percent per accrual period, 0 < value ≤ 100 (2 = 2 %).' }),
        apply_concerning: ApplyConcerning,
        accrual_frequency: AccrualFrequency,
        minimum_penalty_amount: Type.Optional(Amount({ exclusiveMinimum: 0, description: 'The least charged per accrual.' })),
        maximum_penalty_amount: Type.Optional(Amount({ exclusiveMinimum: 0, description: 'The most charged per accrual.' })),
      },
      { description: 'Penalty interest. Pass this or fixed_amount.' },
    ),
  ),
});
export type CreatePenaltyPlanBody = Static<typeof CreatePenaltyPlanBody>;

export const PenaltyPlan = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    apply_when: Type.Array(Type.String()),
    currency: CurrencyCode,
    grace_days: Type.Optional(Type.Integer()),
    fixed_amount: Type.Optional(Type.Number()),
    percentage: Type.Optional(
      Type.Object({
        value: Type.Number(),
        apply_concerning: Type.Array(Type.String()),
        accrual_frequency: Type.String(),
        minimum_penalty_amount: Type.Optional(Type.Number()),
        maximum_penalty_amount: Type.Optional(Type.Number()),
      }),
    ),
    status: PlanStatus,
  },
  { title: 'PenaltyPlan' },
);
export type PenaltyPlan = Static<typeof PenaltyPlan>;

export const PenaltyPlanPage = Type.Object(
  { next_cursor: Type.String({ description: 'Cursor of the next page; "" on the last one.' }), has_next: Type.Boolean(), items: Type.Array(PenaltyPlan) },
  { title: 'PenaltyPlanPage' },
);
