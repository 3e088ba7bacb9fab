-- Accounts (Pismo Core platform - Accounts): account applications, accounts, their owners
-- (entities and customers), addresses, phones, parameters, statuses, status reasons and each
-- account's status history. Tenant tables: org_id first in every primary key, the row-level
-- security policy of 0002. Ids are int64 from one sequence per table across orgs (an id names one
-- object), as programs' are.

-- Account statuses: the built-in NORMAL, BLOCKED, DEBIT_ONLY and CANCELLED (seeded per org by the
-- accounts module's org setup) and the org's own (POST /accounts/v4/statuses).
create table account_statuses (
  org_id text not null references orgs (org_id),
  status_id bigint generated always as identity,
  name text not null check (name ~ '^[A-Z_]+$' and length(name) <= 200),
  description text,
  allowed_operations text not null check (allowed_operations in ('ALL_OPERATIONS', 'CREDIT_ONLY', 'DEBIT_ONLY', 'NO_OPERATIONS')),
  is_final boolean not null,
  state text not null check (state in ('ACTIVE', 'INACTIVE')),
  built_in boolean not null,
  created_at timestamptz not null,
  primary key (org_id, status_id),
  unique (org_id, name)
);
create unique index account_statuses_id on account_statuses (status_id);

-- Status reasons (POST /accounts/v4/reasons).
create table account_status_reasons (
  org_id text not null references orgs (org_id),
  reason_id bigint generated always as identity,
  name text not null check (length(name) between 1 and 60),
  description text,
  allowed_operations text check (allowed_operations in ('ALL_OPERATIONS', 'CREDIT_ONLY', 'DEBIT_ONLY', 'NO_OPERATIONS')),
  external_id text,
  state text not null check (state in ('ACTIVE', 'INACTIVE')),
  created_at timestamptz not null,
  primary key (org_id, reason_id),
  unique (org_id, name)
);
create unique index account_status_reasons_id on account_status_reasons (reason_id);

-- Acquisition channels of a program (GET /acquisitions/v2/programs/{programId}/channels).
create table acquisition_channels (
  org_id text not null,
  channel_id bigint generated always as identity,
  program_id bigint not null,
  type text not null,
  name text not null,
  created_at timestamptz not null,
  primary key (org_id, channel_id),
  foreign key (org_id, program_id) references programs (org_id, program_id)
);
create unique index acquisition_channels_id on acquisition_channels (channel_id);
create index acquisition_channels_program on acquisition_channels (org_id, program_id, channel_id);

-- Entities: a person or a company, the owner of accounts and customers (Pismo's `entity`).
create table account_entities (
  org_id text not null references orgs (org_id),
  entity_id bigint generated always as identity,
  entity_type text not null check (entity_type in ('INDIVIDUAL', 'COMPANY')),
  document_number text not null check (length(document_number) between 1 and 15),
  name text,
  social_name text,
  email text,
  birth_date text check (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  -- The applicant's `personal` or `company` object as sent (the fields Lastro keeps but does not use).
  details jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, entity_id)
);
create unique index account_entities_id on account_entities (entity_id);
create index account_entities_document on account_entities (org_id, document_number);

-- Account applications (POST /acquisitions/v3/s2s/applications): a prospect (submit false) keeps
-- the applicant to be patched; a submitted one names the account, customer and entity it made.
create table account_applications (
  org_id text not null references orgs (org_id),
  application_id bigint generated always as identity,
  program_id bigint not null,
  acquisition_channel_id bigint,
  status integer not null,
  status_name text not null check (status_name in ('PROSPECT', 'REGISTERED', 'APPROVED', 'DENIED', 'CANCELED')),
  due_date_id bigint,
  program_calendar_strategy_id numeric,
  applicant jsonb not null,
  account_id bigint,
  customer_id bigint,
  entity_id bigint,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, application_id),
  foreign key (org_id, program_id) references programs (org_id, program_id)
);
create unique index account_applications_id on account_applications (application_id);

create table accounts (
  org_id text not null references orgs (org_id),
  account_id bigint generated always as identity,
  program_id bigint not null,
  -- The program's type (Pismo's ProgramTypeID), copied: money movements read an account's rules
  -- without a join into another module's table. Only a program migration changes it.
  program_type_id integer not null,
  application_id bigint,
  -- The owner: its entity (and the document, copied, for the one-account-per-document rule).
  entity_id bigint not null,
  document_number text not null,
  status_id bigint not null,
  status_reason_id bigint,
  status_description text,
  status_changed_at timestamptz not null,
  account_type text not null check (account_type in ('PHYSICAL', 'VIRTUAL')),
  parent_account_id bigint,
  external_id text check (length(external_id) <= 60),
  account_name text check (length(account_name) between 1 and 60),
  -- ISO 4217: the numeric code as Pismo sends it, and the alpha code the ledger speaks.
  currency_numeric_code text not null check (currency_numeric_code ~ '^[0-9]{3}$'),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  -- Minor units of the currency: max_credit_limit (granted_limit), total_credit_limit (limit).
  granted_limit_minor bigint check (granted_limit_minor >= 0),
  limit_minor bigint check (limit_minor >= 0),
  overdraft_limit_minor bigint check (overdraft_limit_minor >= 0),
  exchange_mode text check (exchange_mode in ('SAME_DAY', 'CLOSING')),
  division_id bigint,
  is_centralizer boolean not null default false,
  due_date_id bigint,
  custom_fields jsonb,
  created_on text not null check (created_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, account_id),
  foreign key (org_id, program_id) references programs (org_id, program_id),
  foreign key (org_id, entity_id) references account_entities (org_id, entity_id),
  foreign key (org_id, status_id) references account_statuses (org_id, status_id),
  foreign key (org_id, status_reason_id) references account_status_reasons (org_id, reason_id),
  foreign key (org_id, parent_account_id) references accounts (org_id, account_id),
  check (account_type = 'PHYSICAL' or parent_account_id is not null)
);
create unique index accounts_id on accounts (account_id);
-- Pismo: one account per document in a program ("Account already created"). Child accounts of a
-- hierarchy (parent_account_id set) belong to their parent's owner and are not counted.
create unique index accounts_one_per_document on accounts (org_id, program_id, document_number) where parent_account_id is null;
create index accounts_document on accounts (org_id, document_number);
create index accounts_parent on accounts (org_id, parent_account_id) where parent_account_id is not null;
create unique index accounts_external_id on accounts (org_id, program_id, external_id) where external_id is not null;

alter table account_applications
  add constraint account_applications_account_fk foreign key (org_id, account_id) references accounts (org_id, account_id);

-- Customers: the people (or companies) acting on an account, the owner among them.
create table account_customers (
  org_id text not null,
  customer_id bigint generated always as identity,
  account_id bigint not null,
  entity_id bigint not null,
  is_owner boolean not null,
  email text,
  printed_name text,
  social_name text,
  nickname text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, customer_id),
  foreign key (org_id, account_id) references accounts (org_id, account_id),
  foreign key (org_id, entity_id) references account_entities (org_id, entity_id)
);
create unique index account_customers_id on account_customers (customer_id);
create index account_customers_account on account_customers (org_id, account_id, customer_id);
-- One owner per account.
create unique index account_customers_owner on account_customers (org_id, account_id) where is_owner;

create table account_addresses (
  org_id text not null,
  address_id bigint generated always as identity,
  account_id bigint not null,
  entity_id bigint not null,
  address text not null,
  number text,
  address1 text,
  complementary_address text,
  neighborhood text,
  city text not null,
  state text not null,
  country text not null,
  zip_code text not null,
  address_type text not null check (address_type in ('RESIDENTIAL', 'COMMERCIAL', 'OTHER')),
  mailing_address boolean not null default false,
  custom_fields jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, address_id),
  foreign key (org_id, account_id) references accounts (org_id, account_id),
  foreign key (org_id, entity_id) references account_entities (org_id, entity_id)
);
create unique index account_addresses_id on account_addresses (address_id);
create index account_addresses_account on account_addresses (org_id, account_id, address_id);

create table account_phones (
  org_id text not null,
  phone_id bigint generated always as identity,
  account_id bigint not null,
  entity_id bigint not null,
  phone text not null,
  phone_type text not null check (phone_type in ('RESIDENTIAL', 'COMMERCIAL', 'MOBILE')),
  country_code text not null,
  area_code integer,
  extension text,
  active boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, phone_id),
  foreign key (org_id, account_id) references accounts (org_id, account_id),
  foreign key (org_id, entity_id) references account_entities (org_id, entity_id)
);
create unique index account_phones_id on account_phones (phone_id);
create index account_phones_account on account_phones (org_id, account_id, phone_id);
-- Search by phone (POST /accounts/v5/accounts/search).
create index account_phones_number on account_phones (org_id, phone);

-- Account parameters (a subset of program parameters), keyed by Pismo's parameter id.
create table account_parameters (
  org_id text not null,
  account_id bigint not null,
  parameter_id bigint not null,
  id bigint generated always as identity,
  name text not null,
  value numeric not null,
  valid_from timestamptz not null,
  valid_until timestamptz,
  updated_at timestamptz not null,
  primary key (org_id, account_id, parameter_id),
  foreign key (org_id, account_id) references accounts (org_id, account_id)
);

-- Every status an account has had, newest last: a rollback returns to the one before.
create table account_status_history (
  org_id text not null,
  history_id bigint generated always as identity,
  account_id bigint not null,
  status_id bigint not null,
  reason_id bigint,
  description text,
  kind text not null check (kind in ('CREATION', 'CHANGE', 'ROLLBACK')),
  -- A ROLLBACK row names the change it undid; an undone change is never undone twice.
  undoes bigint,
  actor text not null,
  changed_at timestamptz not null,
  primary key (org_id, history_id),
  foreign key (org_id, account_id) references accounts (org_id, account_id),
  foreign key (org_id, status_id) references account_statuses (org_id, status_id)
);
create index account_status_history_account on account_status_history (org_id, account_id, history_id);

do $$
declare
  t text;
begin
  foreach t in array array['account_statuses', 'account_status_reasons', 'acquisition_channels', 'account_entities',
                           'account_applications', 'accounts', 'account_customers', 'account_addresses', 'account_phones',
                           'account_parameters', 'account_status_history'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')$p$, t);
    if exists (select 1 from pg_roles where rolname = 'lastro_app') then
      execute format('grant select, insert, update, delete on %I to lastro_app', t);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant usage, select on all sequences in schema public to lastro_app;
  end if;
end
$$;
