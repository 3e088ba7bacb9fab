// Data events of the accounts module, with Pismo's slugs (`<domain>-<event_type>-<version>`, as
// its event reference names them): onboarding-succeeded-1, onboarding-prospect-1,
// account-customer-creation-1, account-account-change-2, account-account-owner-change-1,
// account-owner-change-1, account-customer-change-2, audit-entity-change-1,
// audit-address-creation-1, audit-address-change-1, audit-phone-creation-1,
// audit-phone-change-1, account-status-change-2, account-status-creation-1 and
// account-reason-creation-1. Pismo publishes the names, not the payloads: each payload carries
// the ids and fields the operation's response has, in Pismo's spelling.
import { Type, type Static } from 'typebox';
import { defineEvent } from '../../platform/outbox.js';

const ORG = 'TN-6f1c0f1e-7c1a-4b8e-9d0a-2f6b8d1e4c11';
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ApplicationData = Type.Object({
  org_id: Type.String(),
  application_id: Type.Integer(),
  program_id: Type.Integer(),
  status: Type.Integer(),
  status_name: Type.String(),
  account_id: Nullable(Type.Integer()),
  customer_id: Nullable(Type.Integer()),
  entity_id: Nullable(Type.Integer()),
  document_number: Type.String(),
  acquisition_channel: Type.Optional(Type.Integer()),
});

const CustomerData = Type.Object({
  org_id: Type.String(),
  account_id: Type.Integer(),
  customer_id: Type.Integer(),
  entity_id: Type.Integer(),
  is_owner: Type.Boolean(),
  document_number: Type.String(),
  name: Nullable(Type.String()),
});

const AccountChangeData = Type.Object({
  org_id: Type.String(),
  account_id: Type.Integer(),
  program_id: Type.Integer(),
  changed_fields: Type.Array(Type.String(), { description: 'The fields of the account that changed.' }),
});

const OwnerChangeData = Type.Object({
  org_id: Type.String(),
  account_id: Type.Integer(),
  customer_id: Type.Integer(),
  entity_id: Type.Integer(),
  previous_customer_id: Nullable(Type.Integer()),
  previous_entity_id: Nullable(Type.Integer()),
});

const CustomerChangeData = Type.Object({
  org_id: Type.String(),
  account_id: Type.Integer(),
  customer_id: Type.Integer(),
  entity_id: Type.Integer(),
  changed_fields: Type.Array(Type.String(), { description: 'The fields of the customer (or its entity) that changed.' }),
});

/** An address or phone of an account, created or changed. */
const ContactData = Type.Object({
  org_id: Type.String(),
  account_id: Type.Integer(),
  id: Type.Integer({ description: 'The address id or phone id.' }),
  customer_id: Nullable(Type.Integer()),
  changed_fields: Type.Array(Type.String(), { description: 'The fields sent (all of them on creation).' }),
});

const StatusChangeData = Type.Object({
  org_id: Type.String(),
  account_id: Type.Integer(),
  program_id: Type.Integer(),
  previous_status: Type.String(),
  status: Type.String(),
  allowed_operations: Type.String(),
  is_final: Type.Boolean(),
  reason_id: Nullable(Type.Integer()),
  description: Nullable(Type.String()),
  rollback: Type.Boolean({ description: 'Whether the change is a rollback of the previous one.' }),
  changed_at: Type.String({ format: 'date-time' }),
});

const StatusData = Type.Object({
  org_id: Type.String(),
  status_id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  state: Type.String(),
  is_final: Type.Boolean(),
  allowed_operations: Type.String(),
});

const ReasonData = Type.Object({
  org_id: Type.String(),
  reason_id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  state: Type.String(),
  allowed_operations: Nullable(Type.String()),
  external_id: Nullable(Type.String()),
});

const application = {
  org_id: ORG,
  application_id: 23942777,
  program_id: 100,
  status: 4,
  status_name: 'APPROVED',
  account_id: 123,
  customer_id: 456,
  entity_id: 789,
  document_number: '695-32-3317',
};

export const AccountEvents = {
  applicationCreated: defineEvent({
    domain: 'onboarding',
    eventType: 'succeeded',
    version: 1,
    title: 'Account application created',
    description: 'An application was submitted and processed: its account, owner customer and entity exist.',
    schema: ApplicationData,
    example: application,
  }),
  prospectCreated: defineEvent({
    domain: 'onboarding',
    eventType: 'prospect',
    version: 1,
    title: 'Account application prospect created',
    description: 'An application was saved without being submitted (submit false); it can be patched.',
    schema: ApplicationData,
    example: { ...application, status: 1, status_name: 'PROSPECT', account_id: null, customer_id: null, entity_id: null },
  }),
  customerCreated: defineEvent({
    domain: 'account',
    eventType: 'customer-creation',
    version: 1,
    title: 'Customer created',
    description: 'A customer of an account was created (the owner by an application, others by POST /accounts/v2/customers).',
    schema: CustomerData,
    example: { org_id: ORG, account_id: 123, customer_id: 456, entity_id: 789, is_owner: true, document_number: '695-32-3317', name: 'John Doe' },
  }),
  accountChanged: defineEvent({
    domain: 'account',
    eventType: 'account-change',
    version: 2,
    title: 'Account information changed',
    description: 'Fields of an account changed (PATCH /accounts/v1/accounts/{accountId}).',
    schema: AccountChangeData,
    example: { org_id: ORG, account_id: 123, program_id: 100, changed_fields: ['custom_fields'] },
  }),
  accountOwnerChanged: defineEvent({
    domain: 'account',
    eventType: 'account-owner-change',
    version: 1,
    title: 'Account owner changed',
    description: 'Another customer became the owner of an account (POST /accounts/v2/customers with is_owner).',
    schema: OwnerChangeData,
    example: { org_id: ORG, account_id: 123, customer_id: 457, entity_id: 790, previous_customer_id: 456, previous_entity_id: 789 },
  }),
  ownerDetailChanged: defineEvent({
    domain: 'account',
    eventType: 'owner-change',
    version: 1,
    title: 'Account owner changed',
    description: "The owner's person or company data changed (PATCH /accounts/v1/accounts/{accountId}/customers/{customerId}/detail).",
    schema: OwnerChangeData,
    example: { org_id: ORG, account_id: 123, customer_id: 456, entity_id: 789, previous_customer_id: 456, previous_entity_id: 789 },
  }),
  customerChanged: defineEvent({
    domain: 'account',
    eventType: 'customer-change',
    version: 2,
    title: 'Customer changed',
    description: "A customer's information was overwritten (PUT /accounts/v2/customers/{customerId}).",
    schema: CustomerChangeData,
    example: { org_id: ORG, account_id: 123, customer_id: 457, entity_id: 790, changed_fields: ['nickname', 'is_active'] },
  }),
  entityChanged: defineEvent({
    domain: 'audit',
    eventType: 'entity-change',
    version: 1,
    title: 'Account entity updated',
    description: "A customer's person or company data changed (PATCH /accounts/v1/accounts/{accountId}/customers/{customerId}/detail).",
    schema: CustomerChangeData,
    example: { org_id: ORG, account_id: 123, customer_id: 456, entity_id: 789, changed_fields: ['occupation'] },
  }),
  addressCreated: defineEvent({
    domain: 'audit',
    eventType: 'address-creation',
    version: 1,
    title: 'Address created',
    description: 'An address of an account was created (POST /accounts/v1/accounts/{accountId}/addresses).',
    schema: ContactData,
    example: { org_id: ORG, account_id: 123, id: 32670165, customer_id: null, changed_fields: ['type', 'address', 'number'] },
  }),
  addressChanged: defineEvent({
    domain: 'audit',
    eventType: 'address-change',
    version: 1,
    title: 'Address updated',
    description: 'An address of an account was updated (PATCH /accounts/v1/accounts/{accountId}/addresses/{addressId}).',
    schema: ContactData,
    example: { org_id: ORG, account_id: 123, id: 32670165, customer_id: null, changed_fields: ['active'] },
  }),
  phoneCreated: defineEvent({
    domain: 'audit',
    eventType: 'phone-creation',
    version: 1,
    title: 'Phone created',
    description: 'A phone of an account was created (POST /accounts/v1/accounts/{accountId}/phones).',
    schema: ContactData,
    example: { org_id: ORG, account_id: 123, id: 8714, customer_id: 456, changed_fields: ['number', 'type'] },
  }),
  phoneChanged: defineEvent({
    domain: 'audit',
    eventType: 'phone-change',
    version: 1,
    title: 'Phone updated',
    description: 'A phone of an account was updated (PATCH /accounts/v1/accounts/{accountId}/phones/{phoneId}).',
    schema: ContactData,
    example: { org_id: ORG, account_id: 123, id: 8714, customer_id: 456, changed_fields: ['active'] },
  }),
  statusChanged: defineEvent({
    domain: 'account',
    eventType: 'status-change',
    version: 2,
    title: 'Account status changed',
    description: "An account's status changed, or a change was rolled back.",
    schema: StatusChangeData,
    example: {
      org_id: ORG,
      account_id: 123,
      program_id: 100,
      previous_status: 'NORMAL',
      status: 'BLOCKED',
      allowed_operations: 'CREDIT_ONLY',
      is_final: false,
      reason_id: 36,
      description: 'Fraud suspected',
      rollback: false,
      changed_at: '2026-11-30T12:00:00Z',
    },
  }),
  statusCreated: defineEvent({
    domain: 'account',
    eventType: 'status-creation',
    version: 1,
    title: 'Account status created',
    description: 'An account status was created (POST /accounts/v4/statuses).',
    schema: StatusData,
    example: { org_id: ORG, status_id: 9, name: 'FROZEN', description: 'Frozen by the issuer', state: 'ACTIVE', is_final: false, allowed_operations: 'NO_OPERATIONS' },
  }),
  reasonCreated: defineEvent({
    domain: 'account',
    eventType: 'reason-creation',
    version: 1,
    title: 'Reason created',
    description: 'An account status reason was created (POST /accounts/v4/reasons).',
    schema: ReasonData,
    example: { org_id: ORG, reason_id: 36, name: 'Unblocked', description: null, state: 'ACTIVE', allowed_operations: null, external_id: null },
  }),
};

/** Every event type of the accounts module, for the catalog. */
export const ACCOUNT_EVENTS = Object.values(AccountEvents);

export type ApplicationEventData = Static<typeof ApplicationData>;
