// Request and response schemas of an account's customers, addresses, phones and parameters
// (Core_platform_-_Accounts.yaml: Customers, Addresses, Phones, Account parameters). The person
// and company fields are the applicant's (accounts.schemas.ts), with the types these operations
// declare where they differ (decimal income, dd/MM/yyyy dates).
import { Type, type Static, type TSchema } from 'typebox';
import { PagePerPageQuery } from '../../platform/paging.js';
import { IdInteger, Int64Param } from '../../platform/wire.js';
import {
  AddressInput,
  COMPANY_FIELDS,
  CustomFields,
  Email,
  Gender,
  Int64Number,
  MaritalStatus,
  PERSON_DOCUMENT_FIELDS,
  PERSON_FIELDS,
  PhoneInput,
  Str,
  ADDRESS_TYPES,
  PHONE_TYPES,
} from './accounts.schemas.js';

const Decimal = (description: string) => Type.Optional(Type.Number({ description }));
/** Pismo's dd/MM/yyyy dates of entities and customers (checked for a real day by the service). */
export const DayMonthYear = (description: string) =>
  Type.String({ pattern: '^[0-9]{2}/[0-9]{2}/[0-9]{4}$', examples: ['15/01/1990'], description: `${description} Format dd/MM/yyyy.` });
const Pep = Type.Optional(Type.Boolean({ description: "Politically exposed person (informative only)." }));
const IsOwner = (description: string) => Type.Boolean({ description });
const IsActive = Type.Optional(Type.Boolean({ description: 'Is the customer active? Informative: an inactive customer cannot become the owner.' }));
const AddressType = Type.Enum(ADDRESS_TYPES, { description: 'Address type.' });
const PhoneType = Type.Enum(PHONE_TYPES, { description: 'Phone type.' });

/** Pismo's Person2: a person's documents, occupation and finances. */
const PERSON_DETAIL_FIELDS = {
  ...PERSON_DOCUMENT_FIELDS,
  fathers_name: PERSON_FIELDS.fathers_name,
  country_of_birth: PERSON_FIELDS.country_of_birth,
  state_of_birth: PERSON_FIELDS.state_of_birth,
  city_of_birth: PERSON_FIELDS.city_of_birth,
  income: Decimal("Person's income."),
  net_worth: Decimal("Person's net worth."),
};

/** Pismo's Company2 (the entity's company): the applicant's company fields with decimal amounts. */
const COMPANY_DETAIL_FIELDS = {
  company_name: Type.Optional(Str(150, "Company's legal name.")),
  company_constitution_date: Type.Optional(DayMonthYear('Company constitution date.')),
  ...COMPANY_FIELDS,
  annual_revenues: Decimal('Company annual revenues (monthly billing average).'),
  perc_ownership: Decimal('Company percentage ownership.'),
  debt: Decimal("Company's debt."),
  income: Type.Optional(Int64Number("Company's income.")),
  net_worth: Type.Optional(Int64Number("Company's net worth.")),
};

export const PersonDetails = Type.Object(PERSON_DETAIL_FIELDS, { additionalProperties: false, description: 'Person data: this or company, not both.' });
export const CompanyDetails = Type.Object(COMPANY_DETAIL_FIELDS, { additionalProperties: false, description: 'Company data: this or person, not both.' });
export type PersonDetails = Static<typeof PersonDetails>;
export type CompanyDetails = Static<typeof CompanyDetails>;

// ---- customers ---------------------------------------------------------------------------------

/** What an entity says of its owner besides person or company (CustomerV2Request.entity). */
const ENTITY_FIELDS = {
  birth_date: Type.Optional(DayMonthYear('Birth (or company creation) date.')),
  gender: Type.Optional(Gender),
  marital_status: Type.Optional(MaritalStatus),
  mothers_name: PERSON_FIELDS.mothers_name,
  registration: Type.Optional(Str(30, 'Entity registration.')),
  pep: Pep,
};

export const CustomerCreate = Type.Object(
  {
    account_id: IdInteger('The account the customer joins.'),
    entity: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 150, description: 'Entity name.' }),
        document_number: Type.String({ minLength: 1, maxLength: 15, description: 'Document number, such as a government tax ID (one customer per document on an account).' }),
        ...ENTITY_FIELDS,
        external_id: Type.Optional(Str(60, 'Client-created id.')),
        person: Type.Optional(PersonDetails),
        company: Type.Optional(CompanyDetails),
      },
      { additionalProperties: false },
    ),
    customer: Type.Object(
      {
        is_owner: IsOwner('Is the customer the account owner? True makes it the owner; the others stay.'),
        email: Type.Optional(Email),
        printed_name: PERSON_FIELDS.printed_name,
        social_name: Type.Optional(Str(64, 'Social name.')),
        nickname: PERSON_FIELDS.nickname,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type CustomerCreate = Static<typeof CustomerCreate>;

const EntityEcho = Type.Object({
  name: Type.String(),
  document_number: Type.String(),
  ...ENTITY_FIELDS,
  person: Type.Optional(PersonDetails),
  company: Type.Optional(CompanyDetails),
});

export const CustomerCreated = Type.Object(
  {
    account_id: Type.Integer(),
    customer_id: Type.Integer(),
    entityd: Type.Integer({ description: "The entity's id, under the name Pismo's response gives it." }),
    entity_id: Type.Integer({ description: "The entity's id." }),
    message: Type.String(),
    data: Type.Object({ entity: EntityEcho }),
  },
  { title: 'CustomerV2Response' },
);
export type CustomerCreated = Static<typeof CustomerCreated>;

export const CustomerIdParams = Type.Object({ customerId: Int64Param('Customer id') });
export const AccountCustomerParams = Type.Object({ accountId: Int64Param('Account id'), customerId: Int64Param('Customer id') });

const CUSTOMER_SUMMARY = {
  id: Type.Integer(),
  printed_name: Type.Optional(Type.String()),
  social_name: Type.Optional(Type.String()),
  nickname: Type.Optional(Type.String()),
  is_owner: Type.Boolean(),
  is_active: Type.Boolean(),
};

export const CustomerListQuery = Type.Object(
  {
    page: PagePerPageQuery.page,
    perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Items per page (at most 200; default 10).' })),
    isOwner: Type.Optional(Type.Boolean({ description: 'Only the owner (true) or only the others (false).' })),
    entityId: Type.Optional(IdInteger('Only the customer of this entity.')),
  },
  { additionalProperties: false },
);
export type CustomerListQuery = Static<typeof CustomerListQuery>;

export const CustomerPage = Type.Object({
  current_page: Type.Integer(),
  per_page: Type.Integer(),
  items: Type.Array(Type.Object({ account_id: Type.Integer(), customer: Type.Object(CUSTOMER_SUMMARY) })),
});
export type CustomerPage = Static<typeof CustomerPage>;

export const CustomerDetails = Type.Object({
  program_id: Type.Integer(),
  account_id: Type.Integer(),
  entity: Type.Object({
    id: Type.Integer(),
    name: Type.Optional(Type.String()),
    document_number: Type.String(),
    registration: Type.Optional(Type.String()),
    birth_date: Type.Optional(Type.String({ format: 'date' })),
    gender: Type.Optional(Type.String()),
    mothers_name: Type.Optional(Type.String()),
    marital_status: Type.Optional(Type.String()),
    pep: Type.Optional(Type.Boolean()),
    person: Type.Optional(PersonDetails),
    company: Type.Optional(CompanyDetails),
  }),
  customer: Type.Object({
    ...CUSTOMER_SUMMARY,
    email: Type.Optional(Type.String()),
    addresses: Type.Array(Type.Object({ address_id: Type.Integer(), type: Type.String() })),
    phones: Type.Array(Type.Object({ phone_id: Type.Integer(), type: Type.String() })),
  }),
});
export type CustomerDetails = Static<typeof CustomerDetails>;

/** OverwriteCustomerInformationRequest: social_name and nickname not sent become null. */
export const CustomerOverwrite = Type.Object(
  {
    customer: Type.Optional(
      Type.Object(
        {
          printed_name: PERSON_FIELDS.printed_name,
          social_name: Type.Optional(Str(64, 'Social name; not sent: cleared.')),
          nickname: Type.Optional(Str(128, 'Nickname; not sent: cleared.')),
          is_active: IsActive,
          email: Type.Optional(Email),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CustomerOverwrite = Static<typeof CustomerOverwrite>;

/** The person fields of PersonRequest and PersonResponse (Pismo's Person). */
const PERSON_REQUEST_FIELDS = {
  name: Type.Optional(Str(150, 'Name.')),
  social_name: Type.Optional(Str(64, 'Social name.')),
  pep: Pep,
  ...PERSON_FIELDS,
  ...PERSON_DETAIL_FIELDS,
};
/** The company fields of CompanyRequest and CompanyResponse (Pismo's Company). */
const COMPANY_REQUEST_FIELDS = {
  name: Type.Optional(Str(150, 'Company representative name.')),
  nickname: Type.Optional(Str(128, 'Company representative nickname.')),
  printed_name: PERSON_FIELDS.printed_name,
  social_name: Type.Optional(Str(64, "Company representative's social name.")),
  pep: Pep,
  email: Type.Optional(Str(100, 'Email address.')),
  ...COMPANY_DETAIL_FIELDS,
  income: Decimal("Company's income."),
  net_worth: Decimal("Company's net worth."),
};
/** Fields only a person customer takes (the others are refused on a company, and the reverse). */
export const PERSON_ONLY = Object.keys(PERSON_REQUEST_FIELDS).filter((k) => !(k in COMPANY_REQUEST_FIELDS));
export const COMPANY_ONLY = Object.keys(COMPANY_REQUEST_FIELDS).filter((k) => !(k in PERSON_REQUEST_FIELDS));

/**
 * PersonRequest or CompanyRequest, as one object: which applies is the customer's entity type
 * (the service refuses the other's fields, naming them).
 */
export const CustomerDetailPatch = Type.Object(
  {
    ...PERSON_REQUEST_FIELDS,
    ...COMPANY_REQUEST_FIELDS,
    email: Type.Optional(Email),
    income: Decimal('Income.'),
    net_worth: Decimal('Net worth.'),
    birth_date: Type.Optional(DayMonthYear('Birth date (a person).')),
    is_owner: Type.Optional(IsOwner('True makes the customer the owner of the account.')),
    is_active: IsActive,
  },
  { additionalProperties: false },
);
export type CustomerDetailPatch = Static<typeof CustomerDetailPatch>;

const loose = (fields: Record<string, TSchema>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)]));

/** PersonResponse or CompanyResponse: the customer's person or company data after the update. */
export const CustomerDetailResponse = Type.Object(
  {
    ...loose(PERSON_REQUEST_FIELDS),
    ...loose(COMPANY_REQUEST_FIELDS),
    email: Type.Optional(Type.String()),
    income: Type.Optional(Type.Number()),
    net_worth: Type.Optional(Type.Number()),
    document_number: Type.String(),
    type_id: Type.Integer({ description: '1 person, 2 company.' }),
    entity_type: Type.String({ description: 'INDIVIDUAL or COMPANY.' }),
    birth_date: Type.Optional(Type.String({ format: 'date' })),
    company_constitution_date: Type.Optional(Type.String({ format: 'date' })),
  },
  { title: 'PersonResponse or CompanyResponse' },
);
export type CustomerDetailResponse = Static<typeof CustomerDetailResponse>;

// ---- addresses ---------------------------------------------------------------------------------

const ADDRESS_FIELDS = {
  address: AddressInput.properties.address,
  number: Type.String({ maxLength: 9, description: 'Address number (digits, possibly followed by more, e.g. 456 B).' }),
  zip_code: AddressInput.properties.zip_code,
  city: AddressInput.properties.city,
  state: AddressInput.properties.state,
  country: AddressInput.properties.country,
  neighborhood: AddressInput.properties.neighborhood,
};
const ADDRESS_OPTIONS = {
  active: Type.Optional(Type.Boolean({ description: 'Is the address active? Default true (an inactive one is not found by Get address).' })),
  complementary_address: AddressInput.properties.complementary_address,
  custom_fields: Type.Optional(CustomFields),
  mailing_address: Type.Optional(Type.Boolean({ description: 'Is this the mailing address? Setting it clears the others.' })),
};

export const AddressCreate = Type.Object({ type: AddressType, ...ADDRESS_FIELDS, ...ADDRESS_OPTIONS }, { additionalProperties: false });
export type AddressCreate = Static<typeof AddressCreate>;
export const AddressPatch = Type.Object(
  { type: Type.Optional(AddressType), ...loose(ADDRESS_FIELDS), ...ADDRESS_OPTIONS },
  { additionalProperties: false },
);
export type AddressPatch = Static<typeof AddressPatch>;

export const AddressIdParams = Type.Object({ accountId: Int64Param('Account id'), addressId: Int64Param('Address id') });
export const AddressListQuery = Type.Object(
  { active: Type.Optional(Type.Boolean({ description: 'Only active (true) or inactive (false) addresses.' })) },
  { additionalProperties: false },
);

export const Address = Type.Object(
  {
    id: Type.Integer(),
    address_type: Type.String(),
    address: Type.String(),
    number: Type.Optional(Type.Integer()),
    extended_number: Type.Optional(Type.String()),
    complementary_address: Type.Optional(Type.String()),
    neighborhood: Type.Optional(Type.String()),
    zip_code: Type.String(),
    city: Type.String(),
    state: Type.String(),
    country: Type.String(),
    creation_date: Type.String(),
    mailing_address: Type.Boolean(),
    active: Type.Boolean(),
    org_id: Type.String(),
    account_id: Type.Integer(),
    last_update: Type.String({ format: 'date-time' }),
    custom_fields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    customer_ids: Type.Array(Type.Integer()),
  },
  { title: 'AddressResponse' },
);
export type Address = Static<typeof Address>;
export const IdResponse = Type.Object({ id: Type.Integer() });

// ---- phones ------------------------------------------------------------------------------------

const PHONE_OPTIONS = {
  active: Type.Optional(Type.Boolean({ description: 'Is the phone active? Default true; an inactive phone cannot be updated.' })),
  area_code: PhoneInput.properties.area_code,
  country_code: Type.Optional(PhoneInput.properties.country_code),
  extension: PhoneInput.properties.extension,
};
export const PhoneCreate = Type.Object(
  { number: PhoneInput.properties.phone, type: PhoneType, ...PHONE_OPTIONS },
  { additionalProperties: false },
);
export type PhoneCreate = Static<typeof PhoneCreate>;
export const PhoneCreateHeaders = Type.Object({
  'x-customer-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$', description: "The customer whose phone it is (default: the account's owner)." })),
});
export const PhonePatch = Type.Object(
  { number: Type.Optional(PhoneInput.properties.phone), type: Type.Optional(PhoneType), ...PHONE_OPTIONS },
  { additionalProperties: false },
);
export type PhonePatch = Static<typeof PhonePatch>;
export const PhoneIdParams = Type.Object({ accountId: Int64Param('Account id'), phoneId: Int64Param('Phone id') });
export const PhoneListQuery = Type.Object(
  {
    type: Type.Optional(PhoneType),
    active: Type.Optional(Type.Boolean({ description: 'Only active (true) or inactive (false) phones.' })),
  },
  { additionalProperties: false },
);

export const Phone = Type.Object(
  {
    id: Type.Integer(),
    account_id: Type.Integer(),
    area_code: Type.Optional(Type.String()),
    number: Type.String(),
    type: Type.String(),
    extension: Type.Optional(Type.String()),
    active: Type.Boolean(),
    org_id: Type.String(),
    country_code: Type.Optional(Type.String()),
    creation_date: Type.String({ format: 'date-time' }),
    last_update: Type.String({ format: 'date-time' }),
    customer_id: Type.Optional(Type.Integer()),
  },
  { title: 'PhoneItemResponse' },
);
export type Phone = Static<typeof Phone>;

// ---- parameters --------------------------------------------------------------------------------

export const ParameterIdParams = Type.Object({ accountId: Int64Param('Account id'), parameterId: Int64Param('Parameter id') });
export const ParameterUpdate = Type.Object(
  { value: Type.Number({ description: 'Parameter value (a decimal, kept exactly as sent).' }) },
  { additionalProperties: false },
);
export type ParameterUpdate = Static<typeof ParameterUpdate>;
export const Parameter = Type.Object(
  {
    parameter_id: Type.Integer(),
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    id: Type.Integer(),
    valid_from: Type.String({ format: 'date-time' }),
    valid_until: Type.Optional(Type.String({ format: 'date-time' })),
    value: Type.Number(),
  },
  { title: 'ParametersDataResponse' },
);
export type Parameter = Static<typeof Parameter>;
