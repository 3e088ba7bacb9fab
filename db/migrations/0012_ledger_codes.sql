-- Processing codes (Pismo Platform setup - Orgs operation), transaction types and transaction
-- flows (Core platform - Transactions): what a financial operation does to a balance. Every table
-- is a tenant table: org_id first in the primary key, and the row-level security policy of 0002.
-- Every org gets Lastro's standard set through the ledger module's org setup (ledger.setup.ts).

create table processing_codes (
  org_id text not null references orgs (org_id),
  -- 2 to 6 letters and digits: 3 to 6 for custom codes, 2-digit codes are the card networks'.
  processing_code text not null check (processing_code ~ '^[A-Za-z0-9]{2,6}$'),
  -- Pismo's org_operation_id: one sequence across orgs.
  org_operation_id bigint generated always as identity,
  -- AUTHORIZATION: created by POST /processing-codes; REVERSAL: cancels one (or several).
  kind text not null check (kind in ('AUTHORIZATION', 'REVERSAL')),
  balance_impact smallint not null check (balance_impact in (-1, 0, 1)),
  description text not null check (char_length(description) <= 50),
  -- Lastro's standard codes (seeded for every org) as opposed to the org's own.
  standard boolean not null,
  -- Every AUTHORIZATION code names its reversal and partial reversal codes (REVERSAL codes of the
  -- same org, of the opposite balance impact); a REVERSAL code names none.
  reversal_processing_code text,
  partial_reversal_processing_code text,
  tags text[] not null default '{}',
  -- [{language, description}]
  translations jsonb not null default '[]',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, processing_code),
  check ((kind = 'AUTHORIZATION') = (reversal_processing_code is not null and partial_reversal_processing_code is not null)),
  constraint processing_codes_reversal_fk foreign key (org_id, reversal_processing_code)
    references processing_codes (org_id, processing_code),
  constraint processing_codes_partial_reversal_fk foreign key (org_id, partial_reversal_processing_code)
    references processing_codes (org_id, processing_code)
);
create unique index processing_codes_operation_id on processing_codes (org_operation_id);
-- The list pages by org_operation_id.
create index processing_codes_page on processing_codes (org_id, org_operation_id);
-- The authorization codes a reversal code serves (their status depends on its flows).
create index processing_codes_reversal on processing_codes (org_id, reversal_processing_code) where reversal_processing_code is not null;
create index processing_codes_partial_reversal on processing_codes (org_id, partial_reversal_processing_code)
  where partial_reversal_processing_code is not null;

create table transaction_types (
  org_id text not null references orgs (org_id),
  transaction_type_id bigint not null check (transaction_type_id >= 1),
  description text not null check (char_length(description) <= 30),
  credit boolean not null,
  posted_transaction boolean not null,
  -- Pismo's category ("PAYMENTS/CREDITS"): set on Lastro's standard types.
  category text,
  standard boolean not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, transaction_type_id)
);

create table transaction_flows (
  org_id text not null,
  processing_code text not null,
  transaction_type_id bigint not null,
  key text not null check (key in ('PRINCIPAL', 'INSTALLMENT', 'CONTRACT', 'OTHER')),
  -- Required with key OTHER, absent otherwise.
  custom_key text check (char_length(custom_key) between 1 and 200),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, processing_code, transaction_type_id),
  check ((key = 'OTHER') = (custom_key is not null)),
  constraint transaction_flows_code_fk foreign key (org_id, processing_code)
    references processing_codes (org_id, processing_code),
  constraint transaction_flows_type_fk foreign key (org_id, transaction_type_id)
    references transaction_types (org_id, transaction_type_id)
);
-- One flow per amount type of a code: PRINCIPAL, INSTALLMENT, CONTRACT once each, OTHER once per
-- custom key (Pismo's ETRC04003).
create unique index transaction_flows_amount_type on transaction_flows (org_id, processing_code, key, coalesce(custom_key, ''));
-- Flows of a transaction type (the list filtered by transactionTypeId).
create index transaction_flows_type on transaction_flows (org_id, transaction_type_id);

do $$
declare
  t text;
begin
  foreach t in array array['processing_codes', 'transaction_types', 'transaction_flows'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')$p$, t);
    if exists (select 1 from pg_roles where rolname = 'lastro_app') then
      execute format('grant select, insert, update, delete on %I to lastro_app', t);
    end if;
  end loop;
end
$$;
