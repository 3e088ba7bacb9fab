// Schemas of Pismo's Payments API (Core_platform_-_Payment_methods.yaml): Transfer funds
// (POST /payments/v1/payments), Cancel transfer funds (POST /payments/v2/cancel) and hold funds.
import { Type, type Static } from 'typebox';
import { Amount } from '../../platform/http/amount.js';
import { MAX_API_AMOUNT } from './limits.schemas.js';

const ProcessingCode = Type.String({ pattern: '^[0-9]{6}$', description: 'Processing code (6 digits).' });
const Currency = Type.String({ description: 'ISO-4217 alphabetic or numeric (3 characters) operation currency code, e.g. BRL or 986.' });
const Metadata = Type.Object({}, { additionalProperties: true, description: 'Free-form metadata, kept with the authorization.' });

const AccountRef = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Account ID.' }) });
const CustomInfo = Type.Object({
  external_id: Type.Optional(Type.String({ description: 'External account id (Pismo marks it required; its own cash-in and cash-out examples omit it).' })),
  type: Type.String({ description: 'DEPOSIT (cash-in), WITHDRAWAL (cash-out), or another external type.' }),
  name: Type.Optional(Type.String()),
  origin: Type.Optional(Type.String()),
  accounting_date: Type.Optional(Type.String()),
});
const Card = Type.Object(
  { id: Type.String(), account_id: Type.Integer() },
  { additionalProperties: true, description: 'A card on file (not supported by Lastro: EP2P9999).' },
);
const Merchant = Type.Object(
  { id: Type.Integer(), point_of_sales_id: Type.Optional(Type.Integer()) },
  { description: 'A platform merchant (not supported by Lastro: EP2P9999).' },
);

/** One payment method of `from` or `to`: exactly one of account, custom_info, card, merchant. */
export const PaymentMethod = Type.Object({
  account: Type.Optional(AccountRef),
  custom_info: Type.Optional(CustomInfo),
  card: Type.Optional(Card),
  merchant: Type.Optional(Merchant),
  amount: Type.Optional(Amount({ exclusiveMinimum: 0, maximum: MAX_API_AMOUNT, description: 'Amount; on `from`, or on `to` where `from` has none (cash-in).' })),
  processing_code: Type.Optional(ProcessingCode),
  currency: Type.Optional(Currency),
  beneficiary_id: Type.Optional(Type.String()),
});
export type PaymentMethod = Static<typeof PaymentMethod>;

export const PaymentsModel = Type.Object(
  {
    from: Type.Array(PaymentMethod, { minItems: 1 }),
    to: Type.Array(PaymentMethod, { minItems: 1 }),
    tracking_id: Type.Optional(Type.String({ minLength: 1, description: "Pismo's idempotency key (up to 50 characters): a reused one answers WP2P0010." })),
    entry_mode: Type.Optional(Type.String()),
    location: Type.Optional(Type.Object({ lat: Type.Optional(Type.Number()), lng: Type.Optional(Type.Number()) })),
    metadata: Type.Optional(Metadata),
    token: Type.Optional(Type.String({ description: 'Payment request token (payment requests are not supported: EP2P9999).' })),
    payment_datetime: Type.Optional(Type.String({ format: 'date-time' })),
    descriptor: Type.Optional(Type.String()),
    timeout: Type.Optional(Type.Integer()),
    point_of_sales_id: Type.Optional(Type.Integer({ deprecated: true })),
    capture: Type.Optional(Type.Boolean({ description: 'false: a pre-authorization (the amount is held, not moved).' })),
    authorization_validations: Type.Optional(Type.Object({ is_device_registered: Type.Optional(Type.Boolean()) })),
  },
  { title: 'PaymentsModel' },
);
export type PaymentsModel = Static<typeof PaymentsModel>;

const AuthorizationIDs = Type.Object(
  { credit: Type.Optional(Type.Integer({ description: 'Credit authorization ID.' })), debit: Type.Optional(Type.Integer({ description: 'Debit authorization ID.' })) },
  { title: 'AuthorizationIDs' },
);

export const PaymentsResponse = Type.Object(
  {
    authorization_id: Type.Optional(Type.Integer({ deprecated: true, description: 'The debit authorization ID, else the credit one.' })),
    authorization_ids: AuthorizationIDs,
    event_date: Type.String({ format: 'date-time' }),
    tracking_id: Type.String(),
    available_credit_limit: Type.Optional(Type.Number({ description: 'What the account of the token may still spend.' })),
  },
  { title: 'PaymentsResponse' },
);
export type PaymentsResponse = Static<typeof PaymentsResponse>;

export const TrackingIdAlreadyInUse = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    authorizations: Type.Optional(
      Type.Array(Type.Object({ authorization_id: Type.Integer(), response_code: Type.String(), amount: Type.Number(), date: Type.String({ format: 'date-time' }) })),
    ),
    cid: Type.String(),
  },
  { title: 'TrackingIdAlreadyInUseResponse' },
);

export const PaymentHeaders = Type.Object({
  'x-tenant': Type.Optional(Type.String({ description: 'Org id; must match the token.' })),
  'x-cid': Type.Optional(Type.String()),
  'x-account-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: 'The account acted on with an org-wide token (for P2P, the `from` account).' })),
  'x-skip-timeline': Type.Optional(Type.String()),
  'x-alt-conflict': Type.Optional(Type.String({ description: 'true: a reused tracking_id answers 208 (already reported) instead of 409.' })),
  'idempotency-key': Type.Optional(Type.String({ description: 'Used when the body has no tracking_id (tracking_id is the key when present).' })),
  'x-idempotency-key': Type.Optional(Type.String()),
});

// ---- cancel ----

const Uuid = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const CancelModel = Type.Object(
  {
    authorization_id: Type.Optional(Type.Integer({ minimum: 1, description: 'The credit or debit authorization ID of the transfer.' })),
    tracking_id: Type.Optional(Type.String({ pattern: Uuid, description: "The cancellation's own tracking id." })),
    original_tracking_id: Type.Optional(Type.String({ pattern: Uuid, description: "The transfer's tracking_id." })),
    amount: Amount({ minimum: 0.01, maximum: MAX_API_AMOUNT, description: 'Amount to cancel (the whole transfer).' }),
    cancel_fees: Type.Optional(Type.Boolean()),
    processing_code: Type.Optional(
      Type.Object({ credit: Type.Optional(ProcessingCode), debit: Type.Optional(ProcessingCode) }, { additionalProperties: false }),
    ),
    acquirer: Type.Optional(Type.Object({}, { additionalProperties: true })),
    metadata: Type.Optional(Metadata),
    descriptor: Type.Optional(Type.String()),
  },
  { title: 'CancelModel' },
);
export type CancelModel = Static<typeof CancelModel>;

export const CancelResponse = Type.Object(
  {
    tracking_id: Type.String(),
    authorization_datetime: Type.Optional(Type.String()),
    authorization_ids: AuthorizationIDs,
    metadata: Type.Optional(Metadata),
  },
  { title: 'CancelResponse' },
);
export type CancelResponse = Static<typeof CancelResponse>;

// ---- hold funds ----

export const HoldFundsRequest = Type.Object(
  {
    tracking_id: Type.String({ minLength: 1, maxLength: 36 }),
    account_id: Type.Integer({ minimum: 1 }),
    amount: Amount({ minimum: 0.01, maximum: MAX_API_AMOUNT }),
    processing_code: ProcessingCode,
    skip_balance_validation: Type.Optional(Type.Boolean()),
    skip_status_account_validation: Type.Optional(Type.Boolean()),
    metadata: Type.Optional(Metadata),
  },
  { title: 'FundHoldsRequest' },
);
export type HoldFundsRequest = Static<typeof HoldFundsRequest>;

export const CancelTransferRequest = Type.Object(
  {
    tracking_id: Type.String({ minLength: 1, maxLength: 50 }),
    original_tracking_id: Type.String({ minLength: 1, maxLength: 50 }),
    account_id: Type.Integer({ minimum: 1 }),
    amount: Amount({ minimum: 0.01, maximum: MAX_API_AMOUNT }),
    processing_code: ProcessingCode,
    metadata: Type.Optional(Metadata),
  },
  { title: 'CancelTransferRequest' },
);
export type CancelTransferRequest = Static<typeof CancelTransferRequest>;

export const HoldFundsAuthorizationResponse = Type.Object(
  { authorization_id: Type.Integer(), event_date: Type.String({ format: 'date-time' }), tracking_id: Type.String() },
  { title: 'ForceResponse' },
);
export type HoldFundsAuthorizationResponse = Static<typeof HoldFundsAuthorizationResponse>;
