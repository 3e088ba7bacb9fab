// Schemas of Pismo's Payment methods v2 payments (Core_platform_-_Payment_methods.yaml): Create
// cash-in or cash-out (POST /payment-methods/v2/payments), Confirm pre-authorized cash-in or
// cash-out (…/confirm) and Cancel cash-in or cash-out (…/cancel).
import { Type, type Static } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { MAX_API_AMOUNT } from './limits.schemas.js';

const TrackingId = (description: string) => Type.String({ minLength: 36, maxLength: 50, description });
const AmountField = Amount({
  exclusiveMinimum: 0,
  maximum: MAX_API_AMOUNT,
  description: 'Amount, in the currency of the account (at most its decimal places).',
});
const Metadata = Type.Object({}, { additionalProperties: true, description: 'Free-form metadata, kept with the authorization and sent in its events.' });

const ReasonConfig = Type.Object({
  denial_code: Type.Optional(Type.String({ description: 'Denial code answered when this reason denies the request.' })),
  response_code: Type.Optional(Type.String({ description: 'Response code answered when this reason denies the request.' })),
});
const RuleConfig = Type.Object({
  denial_reasons: Type.Optional(Type.Record(Type.String(), ReasonConfig)),
  disable: Type.Optional(Type.Boolean({ description: 'true: the rule is skipped (ACCOUNT_STATUS and LEDGER can be).' })),
  force: Type.Optional(Type.Boolean({ description: 'Accepted; Lastro runs every rule it runs in any case.' })),
});

export const PaymentMethodsRequest = Type.Object(
  {
    account_id: Type.Integer({ minimum: 1, description: 'Pismo account ID.' }),
    beneficiary_id: Type.Optional(Type.String({ minLength: 36, maxLength: 50, description: 'UUID for the beneficiary related to the account.' })),
    amount: AmountField,
    currency_code: Type.Optional(Type.String({ description: "ISO-4217 alphabetic or numeric currency code; must be the account's." })),
    processing_code: Type.String({ minLength: 1, maxLength: 6, description: 'A credit processing code (balance_impact 1) for cash-in, a debit one (-1) for cash-out.' }),
    tracking_id: TrackingId('Unique tracking ID for this operation: a repeat of the same request answers 200 with the first answer.'),
    authentication: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Authentication (not performed by Lastro).' })),
    description: Type.Optional(Type.String({ description: 'Optional text that describes the operation.' })),
    metadata: Type.Optional(Metadata),
    payment_datetime: Type.Optional(Type.String({ format: 'date-time', description: 'Effective payment date; not in the future.' })),
    pre_authorization: Type.Optional(
      Type.Boolean({ default: false, description: 'true: the amount is authorized (a debit is held) and posted only when confirmed.' }),
    ),
    validation_rules: Type.Optional(Type.Record(Type.String(), RuleConfig, { description: 'Rule configuration, keyed by rule name (ACCOUNT_STATUS, LEDGER, …).' })),
    authorization_validations: Type.Optional(Type.Object({}, { additionalProperties: true })),
    original_authorization: Type.Optional(
      Type.Object({ id: Type.Integer(), type: Type.Union([Type.Literal('NETWORK'), Type.Literal('PLATFORM')]) }, { description: 'An authorization to link.' }),
    ),
  },
  { title: 'PaymentsRequest' },
);
export type PaymentMethodsRequest = Static<typeof PaymentMethodsRequest>;

export const PaymentMethodsFollowUp = Type.Object(
  {
    tracking_id: TrackingId('Unique tracking ID for this operation.'),
    original_tracking_id: TrackingId('Tracking ID of the original cash-in or cash-out.'),
    amount: Type.Optional(AmountField),
    metadata: Type.Optional(Metadata),
  },
  { title: 'PaymentsFollowUpRequest' },
);
export type PaymentMethodsFollowUp = Static<typeof PaymentMethodsFollowUp>;

export const ValidationResult = Type.Object({
  name: Type.String({ description: 'Name of the evaluated rule.' }),
  status: Type.Union([Type.Literal('APPROVED'), Type.Literal('REJECTED'), Type.Literal('SKIPPED')]),
  reason: Type.String(),
  description: Type.String(),
  additional_data: Type.Optional(Type.Object({}, { additionalProperties: true })),
});
export type ValidationResult = Static<typeof ValidationResult>;

export const PaymentMethodsResponse = Type.Object(
  {
    tracking_id: Type.String(),
    account_id: Type.Integer(),
    amount: Type.Number({ description: 'Amount of this operation.' }),
    response_code: Type.String({ description: "'00' approved; otherwise the reason it was denied (e.g. '51' insufficient funds, '57' not permitted)." }),
    denial_code: Type.Optional(Type.String({ description: 'Denial code of a denied operation.' })),
    authorization_id: Type.Optional(Type.Integer({ description: 'Platform authorization ID.' })),
    validation_results: Type.Array(ValidationResult),
  },
  { title: 'v2PaymentsResponse' },
);
export type PaymentMethodsResponse = Static<typeof PaymentMethodsResponse>;
