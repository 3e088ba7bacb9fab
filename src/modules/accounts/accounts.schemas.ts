// Request and response schemas of Pismo's Accounts API (Core_platform_-_Accounts.yaml): account
// applications, accounts, statuses and reasons. Single-field rules (lengths, enums, formats) live
// here, so one 400 names every bad field; rules across fields (personal or company, limits, virtual
// accounts, due dates) are in accounts.rules.ts.
import { Type, type Static } from 'typebox';
import { PagePerPageQuery, PismoPage } from '../../platform/paging.js';
import { IdInteger, Int64Param } from '../../platform/wire.js';

const literals = <T extends string[]>(values: readonly [...T], description: string) => Type.Enum(values, { description });

export const ALLOWED_OPERATIONS = ['ALL_OPERATIONS', 'CREDIT_ONLY', 'DEBIT_ONLY', 'NO_OPERATIONS'] as const;
const AllowedOperations = literals(ALLOWED_OPERATIONS, 'Operations an account in this status allows.');
const State = literals(['ACTIVE', 'INACTIVE'] as const, 'State.');
const StatusName = Type.String({ pattern: '^[A-Z_]+$', maxLength: 200, examples: ['FROZEN'], description: 'Account status name (capital letters and underscores).' });

/**
 * A whole amount of the currency, as Pismo's application declares its limits (`integer`, int64):
 * `1000` is 1000.00 BRL. Bounded so its minor units fit a bigint column.
 */
const WholeAmount = (description: string) => Type.Integer({ minimum: 0, maximum: 90_000_000_000_000, description });

// ---- applications ------------------------------------------------------------------------------

export const Gender = literals(['F', 'M', ''] as const, 'Gender.');
export const MaritalStatus = literals(['SINGLE', 'MARRIED', 'DIVORCED', 'WIDOWER'] as const, 'Marital status.');
export const Str = (maxLength: number | undefined, description: string) =>
  Type.String(maxLength === undefined ? { description } : { maxLength, description });
export const Email = Type.String({ format: 'email', maxLength: 100, description: 'Email address.' });
export const CustomFields = Type.Record(Type.String(), Type.Unknown(), { description: 'Key/value field for custom information (at most 1014 bytes).' });

/** What Pismo's person schemas share (applicant, partner, entity, customer detail). */
export const PERSON_FIELDS = {
  nickname: Type.Optional(Str(128, 'Nickname.')),
  printed_name: Type.Optional(Str(25, 'Deprecated: name printed on the card.')),
  email: Type.Optional(Email),
  gender: Type.Optional(Gender),
  marital_status: Type.Optional(MaritalStatus),
  mothers_name: Type.Optional(Str(60, "Mother's name.")),
  fathers_name: Type.Optional(Str(60, "Father's name.")),
  country_of_birth: Type.Optional(Str(60, 'Birth country.')),
  state_of_birth: Type.Optional(Str(60, 'Birth state.')),
  city_of_birth: Type.Optional(Str(60, 'Birth city.')),
};

/** A person's documents and occupation (part of Pismo's Person2). */
export const PERSON_DOCUMENT_FIELDS = {
  nationality: Type.Optional(Str(60, 'Nationality.')),
  other_id_number: Type.Optional(Str(60, 'Another ID number.')),
  document_type: Type.Optional(Str(30, 'Document type (free form).')),
  document_issued_by: Type.Optional(Str(30, 'Document issuer.')),
  document_issued_at: Type.Optional(Str(30, 'Document issuer location.')),
  document_issued_date: Type.Optional(Str(10, 'Date the document was issued, dd/mm/yyyy.')),
  occupation: Type.Optional(Str(60, 'Occupation.')),
  assets: Type.Optional(Type.Number({ description: 'Assets.' })),
};

export const ApplicantPersonal = Type.Object(
  {
    external_id: Type.Optional(Str(60, 'Client-supplied personal ID.')),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 150, description: 'Name. Required if social_name is not given.' })),
    social_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Social name. Required if name is not given.' })),
    ...PERSON_FIELDS,
    ...PERSON_DOCUMENT_FIELDS,
    registration: Type.Optional(
      Type.Object({ number: Type.Optional(Str(15, 'Document number, such as a tax ID.')) }, { additionalProperties: false }),
    ),
    education_degree: Type.Optional(Str(30, 'Education degree.')),
    income: Type.Optional(Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description: 'Income.' })),
    net_worth: Type.Optional(Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description: 'Net worth.' })),
    pep: Type.Optional(Type.Boolean({ description: 'Politically exposed person.' })),
    statutory: Type.Optional(Type.Boolean({ description: 'Statutory employee.' })),
  },
  { additionalProperties: false, description: "Applicant's personal information: this or company, not both." },
);

const Partner = Type.Object(
  {
    name: Type.Optional(Str(150, 'Name.')),
    social_name: Type.Optional(Str(64, 'Social name.')),
    document_number: Type.Optional(Str(15, 'Document number.')),
    birth_date: Type.Optional(Str(10, 'Birth date, dd/mm/yyyy.')),
    ...PERSON_FIELDS,
  },
  { additionalProperties: false },
);

export const Int64Number = (description: string) => Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, description });

/** What Pismo's company schemas share (applicant, entity, customer detail). */
export const COMPANY_FIELDS = {
  registration_number: Type.Optional(Str(30, 'Registration number.')),
  activity: Type.Optional(Str(30, 'Field of activity.')),
  company_type: Type.Optional(Str(60, 'Company type.')),
  company_format: Type.Optional(Str(60, 'Company social type.')),
  occupation: Type.Optional(Str(60, 'Main occupation.')),
  type: Type.Optional(Str(60, 'Business relations type.')),
  number_of_partners: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'Number of partners.' })),
  fiscal_situation: Type.Optional(Str(60, 'Fiscal situation.')),
  partners: Type.Optional(Type.Array(Partner, { description: 'Company partners.' })),
};

export const ApplicantCompany = Type.Object(
  {
    external_id: Type.Optional(Str(60, 'Client-provided company ID.')),
    name: Type.String({ minLength: 1, maxLength: 150, description: "Company's legal name." }),
    email: Type.Optional(Email),
    company_name: Type.Optional(Str(60, "Company's brand name.")),
    company_constitution_date: Type.Optional(Type.String({ format: 'date', description: 'Operational start date, yyyy-mm-dd.' })),
    ...COMPANY_FIELDS,
    income: Type.Optional(Int64Number('Income.')),
    net_worth: Type.Optional(Int64Number('Net worth.')),
    annual_revenues: Type.Optional(Int64Number('Average monthly revenue for the last 12 months.')),
    perc_ownership: Type.Optional(Int64Number('Percentage ownership.')),
    debt: Type.Optional(Int64Number('Debt.')),
  },
  { additionalProperties: false, description: "Applicant's company information: this or personal, not both." },
);

export const ACCOUNT_TYPES = ['PHYSICAL', 'VIRTUAL'] as const;

export const ApplicantAccount = Type.Object(
  {
    currency_numeric_code: Type.Optional(
      Type.String({ format: 'iso4217-numeric', maxLength: 3, description: "ISO 4217 numeric code of the account's currency; default: the program's." }),
    ),
    granted_limit: Type.Optional(WholeAmount('Credit limit (max_credit_limit), whole units of the currency. Required for credit programs.')),
    limit: Type.Optional(WholeAmount('Client-defined limit (total_credit_limit), 0 to granted_limit; default 0.')),
    exchange_mode: Type.Optional(literals(['SAME_DAY', 'CLOSING'] as const, 'Exchange rate day of foreign transactions (credit programs).')),
    external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'Client-created id. Required for VIRTUAL accounts.' })),
    parent_account_id: Type.Optional(IdInteger('Parent account id. Required for VIRTUAL accounts.')),
    overdraft_limit: Type.Optional(WholeAmount('Overdraft limit of debit accounts, whole units of the currency.')),
    account_type: Type.Optional(literals(ACCOUNT_TYPES, 'PHYSICAL (default) or VIRTUAL.')),
    account_name: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'Account name.' })),
    division_id: Type.Optional(IdInteger("Account's administrative division id.")),
    centralizer: Type.Optional(Type.Boolean({ description: 'Is this the account responsible for invoice billing? Default false.' })),
  },
  { additionalProperties: false, description: "Applicant's account options." },
);

export const ADDRESS_TYPES = ['RESIDENTIAL', 'COMMERCIAL', 'OTHER'] as const;
export const PHONE_TYPES = ['RESIDENTIAL', 'COMMERCIAL', 'MOBILE'] as const;

export const AddressInput = Type.Object(
  {
    address: Type.String({ minLength: 1, maxLength: 300, description: 'Street name.' }),
    number: Type.Optional(Str(9, 'Address number.')),
    address1: Type.Optional(Str(100, 'Address line 1.')),
    city: Type.String({ minLength: 1, maxLength: 100, description: 'City.' }),
    state: Type.String({ minLength: 1, maxLength: 30, description: 'State.' }),
    country: Type.String({ minLength: 1, maxLength: 30, description: 'Country.' }),
    address_type: literals(ADDRESS_TYPES, 'Address type.'),
    zip_code: Type.String({ minLength: 1, maxLength: 16, description: 'Zip/postal code.' }),
    neighborhood: Type.String({ maxLength: 100, description: 'Neighborhood.' }),
    complementary_address: Type.Optional(Str(100, 'Suite, apartment and so on.')),
    mailing_address: Type.Optional(Type.Boolean({ description: 'Is this the mailing address? At most one is.' })),
    custom_fields: Type.Optional(CustomFields),
  },
  { additionalProperties: false },
);
export type AddressInput = Static<typeof AddressInput>;

export const PhoneInput = Type.Object(
  {
    phone: Type.String({ minLength: 1, maxLength: 15, description: 'Phone number.' }),
    phone_type: literals(PHONE_TYPES, 'Phone type.'),
    country_code: Type.String({ minLength: 1, maxLength: 5, description: "Phone number's country code." }),
    area_code: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'Area code.' })),
    extension: Type.Optional(Str(10, 'Extension.')),
  },
  { additionalProperties: false },
);
export type PhoneInput = Static<typeof PhoneInput>;

export const Applicant = Type.Object(
  {
    document_number: Type.String({ minLength: 1, maxLength: 15, description: "Applicant's document number (such as a tax ID); set once." }),
    birth_date: Type.Optional(Type.String({ format: 'date', description: 'Birth (or company creation) date, yyyy-mm-dd.' })),
    personal: Type.Optional(ApplicantPersonal),
    company: Type.Optional(ApplicantCompany),
    account: Type.Optional(ApplicantAccount),
    addresses: Type.Optional(Type.Array(AddressInput, { description: 'Addresses.' })),
    phones: Type.Optional(Type.Array(PhoneInput, { description: 'Phone numbers.' })),
    custom_fields: Type.Optional(CustomFields),
  },
  { additionalProperties: false, description: "Applicant's details." },
);
export type Applicant = Static<typeof Applicant>;

export const ApplicationV3 = Type.Object(
  {
    submit: Type.Boolean({ description: 'Process the application now (true) or keep it as a prospect to patch (false).' }),
    applicant: Applicant,
    acquisition_channel: Type.Optional(IdInteger('Acquisition channel id; names the program when program_id is absent.')),
    program_id: Type.Optional(IdInteger('Program id. Required when acquisition_channel is absent.')),
    due_date: Type.Optional(IdInteger("Id of one of the program's active due dates (full balance credit programs).")),
    program_calendar_strategy_id: Type.Optional(Type.Number({ description: 'Program calendar strategy id (kept, not used yet).' })),
  },
  { additionalProperties: false },
);
export type ApplicationV3 = Static<typeof ApplicationV3>;

export const CreateApplicationBody = Type.Object({ application: ApplicationV3 }, { additionalProperties: false });
export type CreateApplicationBody = Static<typeof CreateApplicationBody>;

export const APPLICATION_STATUSES = { PROSPECT: 1, REGISTERED: 2, DENIED: 3, APPROVED: 4, CANCELED: 5 } as const;

export const ApplicationResponse = Type.Object(
  {
    application_id: Type.Integer(),
    status: Type.Integer({ description: 'Application status id: 1 PROSPECT, 2 REGISTERED, 3 DENIED, 4 APPROVED, 5 CANCELED.' }),
    status_name: Type.String({ description: 'PROSPECT, REGISTERED, DENIED, APPROVED or CANCELED.' }),
    account_id: Type.Optional(Type.Integer({ description: 'The account created; absent for a prospect.' })),
    customer_id: Type.Optional(Type.Integer({ description: 'The owner customer created; absent for a prospect.' })),
    entity_id: Type.Optional(Type.Integer({ description: 'The owner entity created; absent for a prospect.' })),
    program_id: Type.Integer(),
  },
  { title: 'AcquisitionResponse' },
);
export type ApplicationResponse = Static<typeof ApplicationResponse>;

/** Pismo's AcquisitionRequestUpdate: the prospect's applicant, merged; submit processes it, prospect_cancel ends it. */
export const ApplicationUpdate = Type.Object(
  {
    submit: Type.Optional(Type.Boolean({ description: 'Process the application now (true), or keep it a prospect (false, default).' })),
    prospect_cancel: Type.Optional(Type.Boolean({ description: 'Cancel the prospect (true); no further updates can be made.' })),
    applicant: Type.Optional(Applicant),
  },
  { additionalProperties: false },
);
export const UpdateApplicationBody = Type.Object({ application: Type.Optional(ApplicationUpdate) }, { additionalProperties: false });
export type UpdateApplicationBody = Static<typeof UpdateApplicationBody>;

export const ApplicationIdParams = Type.Object({ applicationId: Int64Param('Application id') });

export const ApplicationDetails = Type.Object(
  {
    application_id: Type.Integer(),
    program_due_date_id: Type.Optional(Type.Integer()),
    program_id: Type.Integer(),
    acquisition_channel_id: Type.Optional(Type.Integer()),
    created_at: Type.String({ description: 'When the application was created (RFC 3339).' }),
    application_status: Type.Integer(),
    application_status_name: Type.String(),
    account_id: Type.Optional(Type.Integer()),
    customer_id: Type.Optional(Type.Integer()),
    entity_id: Type.Optional(Type.Integer()),
    application_form: Type.Record(Type.String(), Type.Unknown(), { description: 'The applicant as sent (and patched).' }),
  },
  { title: 'ApplicationsResponse' },
);
export type ApplicationDetails = Static<typeof ApplicationDetails>;

export const ProgramIdParams = Type.Object({ programId: Int64Param('Program id') });
export const ChannelListQuery = Type.Object(
  {
    ...PagePerPageQuery,
  },
  { additionalProperties: false },
);
export const Channel = Type.Object({ id: Type.Integer(), type: Type.String(), name: Type.String() }, { title: 'AcquisitionChannelItemResponse' });
export const ChannelPage = PismoPage(Channel, 'AcquisitionChannelsResponse');
export const ChannelCreate = Type.Object(
  {
    program_id: IdInteger('The program whose applications may name the channel.'),
    type: Type.String({ minLength: 1, maxLength: 60, description: 'Channel type, e.g. Webapp.' }),
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Channel name.' }),
  },
  { additionalProperties: false },
);
export type ChannelCreate = Static<typeof ChannelCreate>;

// ---- accounts ----------------------------------------------------------------------------------

export const AccountIdParams = Type.Object({ accountId: Int64Param('Account id') });
export const AccountQuery = Type.Object(
  { show_children: Type.Optional(Type.Boolean({ description: 'List up to 3 levels of descendant accounts in children.' })) },
  { additionalProperties: false },
);

export const Account = Type.Object(
  {
    account_id: Type.Integer(),
    account_type: Type.String(),
    account_name: Type.Optional(Type.String()),
    creation_date: Type.String({ format: 'date' }),
    is_centralizer: Type.Boolean(),
    external_id: Type.Optional(Type.String()),
    division_id: Type.Optional(Type.Integer()),
    customer_id: Type.Optional(Type.Integer()),
    parent_account_id: Type.Optional(Type.Integer()),
    children: Type.Optional(Type.Array(Type.Integer())),
    status: Type.String(),
    status_reason_id: Type.Optional(Type.Integer()),
    status_reason_description: Type.Optional(Type.String()),
    account_status_date: Type.String({ format: 'date-time' }),
    program_name: Type.String(),
    program_type: Type.String(),
    program_id: Type.Integer(),
    org: Type.String(),
    entity_type: Type.String(),
    name: Type.Optional(Type.String()),
    social_name: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    document_number: Type.String(),
    postal_address_type: Type.Optional(Type.Integer()),
    acquisition_id: Type.Optional(Type.Integer()),
    currency_numeric_code: Type.String(),
    collections_status: Type.Optional(Type.String()),
    open_due_date: Type.Optional(Type.String()),
    current_cicle: Type.Optional(Type.Integer()),
    current_balance: Type.Number(),
    available_withdrawal_credit: Type.Number(),
    available_monthly_credit: Type.Number(),
    available_total_installment_credit: Type.Number(),
    withdrawal_credit_limit: Type.Number(),
    monthly_credit_limit: Type.Number(),
    total_installment_credit_limit: Type.Number(),
    total_credit_limit: Type.Number(),
    max_credit_limit: Type.Number(),
    available_limit: Type.Number(),
    blocked_amount: Type.Number(),
    exchange_mode: Type.Optional(Type.String()),
    program_due_date_id: Type.Optional(Type.Integer()),
    custom_fields: Type.Optional(Type.String({ description: 'The custom fields as JSON text, as Pismo returns them.' })),
  },
  { title: 'AccountDataResponse' },
);
export type Account = Static<typeof Account>;

/** Pismo's UpdateAccountInformationRequest: fields not sent are not changed; parent_account_id null unlinks. */
export const AccountPatch = Type.Object(
  {
    custom_fields: Type.Optional(CustomFields),
    division_id: Type.Optional(IdInteger("Account's administrative division id.")),
    account_name: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'Account name.' })),
    parent_account_id: Type.Optional(Type.Union([IdInteger('Parent account id.'), Type.Null()], { description: 'Parent account id; null unlinks the account.' })),
    external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'External id.' })),
    centralizer: Type.Optional(Type.Boolean({ description: 'Is this the account responsible for invoice billing?' })),
  },
  { additionalProperties: false },
);
export type AccountPatch = Static<typeof AccountPatch>;

// ---- statuses and reasons ----------------------------------------------------------------------

export const StatusCreate = Type.Object(
  {
    name: StatusName,
    description: Type.Optional(Type.String({ maxLength: 200, description: 'Description.' })),
    is_final: Type.Optional(Type.Boolean({ description: 'A final status cannot be left, except by a rollback. Default false.' })),
    allowed_operations: AllowedOperations,
  },
  { additionalProperties: false },
);
export type StatusCreate = Static<typeof StatusCreate>;

export const Status = Type.Object(
  {
    status_id: Type.Integer(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    state: Type.String(),
    is_final: Type.Boolean(),
    allowed_operations: Type.String(),
  },
  { title: 'StatusResponse' },
);
export type Status = Static<typeof Status>;

/** Pismo's cursor parameters of account lists: the cursor a page returned, and the page size. */
const CursorQuery = {
  nextCursor: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from next_cursor: the next page.' })),
  maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'Items on a cursor page (at most 200; default 200, 10 for statuses and reasons).' })),
};

/** Pismo's page/perPage (and its cursor parameters, nextCursor and maxItems, which page by the same key). */
export const StatusListQuery = Type.Object(
  {
    ...CursorQuery,
    ...PagePerPageQuery,
    name: Type.Optional(StatusName),
    state: Type.Optional(Type.Array(State, { description: 'ACTIVE, INACTIVE or both; default ACTIVE.' })),
  },
  { additionalProperties: false },
);
export type StatusListQuery = Static<typeof StatusListQuery>;

const CursorFields = {
  next_cursor: Type.Optional(Type.String()),
  has_next: Type.Boolean(),
  count: Type.Integer(),
};

export const StatusPage = Type.Object({ ...CursorFields, ...PismoPage(Status, 'StatusesResponse').properties }, { title: 'StatusesResponse' });
export type StatusPage = Static<typeof StatusPage>;

export const StatusChange = Type.Object(
  {
    status: StatusName,
    reason_id: Type.Optional(IdInteger('Id of the reason for the change.')),
    update_children: Type.Optional(Type.Boolean({ description: "Change the account's descendants too. Default false." })),
  },
  { additionalProperties: false },
);
export type StatusChange = Static<typeof StatusChange>;

export const StatusRollback = Type.Object(
  {
    status: Type.Optional(StatusName),
    reason_id: Type.Optional(IdInteger('Id of the reason for the rollback.')),
  },
  { additionalProperties: false },
);
export type StatusRollback = Static<typeof StatusRollback>;

export const ReasonCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60, description: 'Reason name (unique in the org).' }),
    description: Type.Optional(Type.String({ maxLength: 200, description: 'Description (the spec example sends one).' })),
    allowed_operations: Type.Optional(AllowedOperations),
    external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'External id.' })),
  },
  { additionalProperties: false },
);
export type ReasonCreate = Static<typeof ReasonCreate>;

export const Reason = Type.Object(
  {
    reason_id: Type.Integer(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    allowed_operations: Type.Optional(Type.String()),
    state: Type.String(),
    external_id: Type.Optional(Type.String()),
  },
  { title: 'ReasonResponse' },
);
export type Reason = Static<typeof Reason>;

export const ReasonListQuery = Type.Object(
  {
    nextCursor: StatusListQuery.properties.nextCursor,
    maxItems: StatusListQuery.properties.maxItems,
    page: StatusListQuery.properties.page,
    perPage: StatusListQuery.properties.perPage,
    name: Type.Optional(Type.String({ maxLength: 60, description: 'Reason name filter.' })),
    state: StatusListQuery.properties.state,
  },
  { additionalProperties: false },
);
export type ReasonListQuery = Static<typeof ReasonListQuery>;

export const ReasonPage = Type.Object({ ...CursorFields, ...PismoPage(Reason, 'ReasonsResponse').properties }, { title: 'ReasonsResponse' });
export type ReasonPage = Static<typeof ReasonPage>;

// ---- account searches --------------------------------------------------------------------------

export const SearchByDocument = Type.Object(
  {
    document_number: Type.String({ minLength: 1, maxLength: 15, description: "The owner's document number." }),
    program_id: Type.Optional(IdInteger('Only accounts of this program.')),
    account_status: Type.Optional(Type.String({ pattern: '^[A-Z_-]+$', maxLength: 200, examples: ['NORMAL'], description: 'Only accounts in this status.' })),
  },
  { additionalProperties: false },
);
export type SearchByDocument = Static<typeof SearchByDocument>;
export const SearchByDocumentQuery = Type.Object(
  {
    ...PagePerPageQuery,
  },
  { additionalProperties: false },
);
export const AccountOfDocument = Type.Object(
  {
    account_id: Type.Integer(),
    customer_id: Type.Optional(Type.Integer()),
    account_status: Type.String(),
    acquisition_id: Type.Optional(Type.Integer()),
    program_id: Type.Integer(),
  },
  { title: 'AccountsV3Response' },
);
export const AccountsOfDocument = Type.Array(AccountOfDocument);

export const SearchByPhone = Type.Object(
  {
    phone: Type.Object(
      {
        number: Type.String({ minLength: 1, maxLength: 15, description: 'Phone number.' }),
        area_code: Type.Optional(Type.String({ pattern: '^[0-9]{1,2}$', maxLength: 2, description: 'Area code.' })),
        country_code: Type.Optional(Type.String({ minLength: 1, maxLength: 5, description: 'Country code.' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SearchByPhone = Static<typeof SearchByPhone>;
export const SearchByPhoneQuery = Type.Object(
  {
    ...CursorQuery,
  },
  { additionalProperties: false },
);
export const AccountsOfPhone = Type.Object(
  {
    next_cursor: Type.Optional(Type.String()),
    has_next: Type.Boolean(),
    count: Type.Integer(),
    items: Type.Array(
      Type.Object({
        account_id: Type.Integer(),
        account_external_id: Type.Optional(Type.String()),
        is_centralizer: Type.Boolean(),
        entities: Type.Array(Type.Object({ entity_id: Type.Integer() })),
      }),
    ),
  },
  { title: 'AccountsV5Page' },
);
export type AccountsOfPhone = Static<typeof AccountsOfPhone>;
