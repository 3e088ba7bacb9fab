// Request and response schemas of Pismo's charge plans (Lending v1: /lending/v1/charge-plans).
// A plan charges a fixed amount or a percentage (0–100, with optional min/max amounts).
import { Type, type Static } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { PlanStatus } from './lending.plans.js';

export const CurrencyCode = Type.Integer({ minimum: 0, maximum: 999, description: 'ISO 4217 numeric currency code, e.g. 986.' });
const ChargePlanCode = Type.String({ minLength: 1, maxLength: 32, description: 'Charge plan code, unique in the org.' });
const ChargePlanType = Type.Union([Type.Literal('FEE'), Type.Literal('TAX'), Type.Literal('CHARGE')], { description: 'Charge plan type.' });
const CollectionMethod = Type.Union([Type.Literal('DEDUCT'), Type.Literal('UPFRONT'), Type.Literal('AMORTISED'), Type.Literal('DEBIT')], {
  description: 'DEDUCT from the disbursement, UPFRONT on the disbursement date, AMORTISED over the installments, or DEBIT from the account.',
});

export const CreateChargePlanBody = Type.Object({
  code: ChargePlanCode,
  name: Type.String({ maxLength: 80, description: 'Charge plan name.' }),
  type: ChargePlanType,
  collection_method: CollectionMethod,
  currency: CurrencyCode,
  fixed_amount: Type.Optional(
    Type.Object({ value: Amount({ exclusiveMinimum: 0, description: 'Amount charged, in the plan currency.' }) }, { description: 'Pass this or percentage.' }),
  ),
  percentage: Type.Optional(
    Type.Object(
      {
        value: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Percent of the loan amount, 0 < value ≤ 100 (2.5 = 2.5 %).' }),
        min_charged_amount: Type.Optional(Amount({ minimum: 0, description: 'The least charged.' })),
        max_charged_amount: Type.Optional(Amount({ minimum: 0, description: 'The most charged; above min_charged_amount.' })),
      },
      { description: 'Pass this or fixed_amount.' },
    ),
  ),
});
export type CreateChargePlanBody = Static<typeof CreateChargePlanBody>;

export const ChargePlan = Type.Object(
  {
    name: Type.String(),
    code: Type.String(),
    type: ChargePlanType,
    currency: CurrencyCode,
    fixed_amount: Type.Optional(Type.Object({ value: Type.Number() })),
    percentage: Type.Optional(
      Type.Object({ value: Type.Number(), min_charged_amount: Type.Optional(Type.Number()), max_charged_amount: Type.Optional(Type.Number()) }),
    ),
    collection_method: CollectionMethod,
    collectionMethod: CollectionMethod,
    status: PlanStatus,
  },
  { title: 'ChargePlan', description: 'collectionMethod repeats collection_method: the spec requires that name and declares the other.' },
);
export type ChargePlan = Static<typeof ChargePlan>;

export const ChargePlanPage = Type.Object(
  { next_cursor: Type.String({ description: 'Cursor of the next page; "" on the last one.' }), has_next: Type.Boolean(), items: Type.Array(ChargePlan) },
  { title: 'ChargePlanPage' },
);
