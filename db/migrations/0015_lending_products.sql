-- Lending (Pismo Lending API v1): loan products and what they name — charge plans, penalty
-- plans, repayment hierarchies — and per-program lending configurations. Every table is a tenant
-- table: org_id first in the primary key, and the row-level security policy of 0002.
-- Amounts are integer minor units in the row's currency (`*_minor bigint` beside
-- currency_numeric_code); rates and percentages are exact decimal text, never floats.
-- Plans are never removed: DELETE marks them DELETED (Pismo: "DELETED entities cannot be
-- recovered"), so a code stays taken and a product's references stay valid rows.

create table lending_charge_plans (
  org_id text not null references orgs (org_id),
  code text not null check (length(code) between 1 and 32),
  -- The order lists page in (an opaque cursor over it).
  seq bigint generated always as identity,
  name text not null check (length(name) <= 80),
  type text not null check (type in ('FEE', 'TAX', 'CHARGE')),
  collection_method text not null check (collection_method in ('DEDUCT', 'UPFRONT', 'AMORTISED', 'DEBIT')),
  currency_numeric_code text not null check (currency_numeric_code ~ '^[0-9]{3}$'),
  fixed_amount_minor bigint check (fixed_amount_minor > 0),
  percentage text check (percentage ~ '^[0-9]+(\.[0-9]+)?$'),
  min_charged_minor bigint check (min_charged_minor >= 0),
  max_charged_minor bigint check (max_charged_minor >= 0),
  status text not null check (status in ('ENABLED', 'DISABLED', 'DELETED')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, code),
  -- Fixed amount or percentage, never both.
  check ((fixed_amount_minor is null) <> (percentage is null))
);
create unique index lending_charge_plans_seq on lending_charge_plans (org_id, seq);

create table lending_penalty_plans (
  org_id text not null references orgs (org_id),
  code text not null check (length(code) between 1 and 32),
  seq bigint generated always as identity,
  name text not null check (length(name) between 1 and 100),
  apply_when text[] not null,
  currency_numeric_code text not null check (currency_numeric_code ~ '^[0-9]{3}$'),
  grace_days integer check (grace_days > 0),
  fixed_amount_minor bigint check (fixed_amount_minor > 0),
  percentage text check (percentage ~ '^[0-9]+(\.[0-9]+)?$'),
  apply_concerning text[],
  minimum_penalty_minor bigint check (minimum_penalty_minor > 0),
  maximum_penalty_minor bigint check (maximum_penalty_minor > 0),
  accrual_frequency text,
  status text not null check (status in ('ENABLED', 'DISABLED', 'DELETED')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, code),
  check ((fixed_amount_minor is null) <> (percentage is null))
);
create unique index lending_penalty_plans_seq on lending_penalty_plans (org_id, seq);

create table lending_repayment_hierarchies (
  org_id text not null references orgs (org_id),
  code text not null check (length(code) between 1 and 32),
  seq bigint generated always as identity,
  -- All six of PRINCIPAL, INTEREST, TAX, CHARGE, FEE, PENALTY, first paid first.
  hierarchy text[] not null check (cardinality(hierarchy) = 6),
  status text not null check (status in ('ENABLED', 'DISABLED', 'DELETED')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, code)
);
create unique index lending_repayment_hierarchies_seq on lending_repayment_hierarchies (org_id, seq);

create table lending_loan_products (
  org_id text not null references orgs (org_id),
  -- A lowercase UUID or ^[A-Z0-9_]{1,80}$, given by the client or generated.
  product_id text not null check (product_id ~ '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Z0-9_]{1,80})$'),
  seq bigint generated always as identity,
  product_name text not null check (length(product_name) <= 256),
  product_type text not null check (product_type in ('BNPL', 'PERSONAL', 'BUSINESS')),
  program_id bigint not null,
  currency_numeric_code text not null check (currency_numeric_code ~ '^[0-9]{3}$'),
  status text not null check (status in ('ACTIVE', 'INACTIVE')),
  product_version text not null,
  -- The rules' and options' amounts, in the product's currency.
  loan_amount_min_minor bigint,
  loan_amount_max_minor bigint,
  installment_amount_min_minor bigint,
  installment_amount_max_minor bigint,
  installment_multiple_minor bigint check (installment_multiple_minor > 0),
  efs_penalty_fixed_minor bigint check (efs_penalty_fixed_minor >= 0),
  prepayment_penalty_fixed_minor bigint check (prepayment_penalty_fixed_minor >= 0),
  repayment_hierarchy_code text,
  -- Every other field of the product as it was created (rates as decimal text; no amounts).
  terms jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, product_id),
  constraint lending_loan_products_program_fk foreign key (org_id, program_id) references programs (org_id, program_id),
  constraint lending_loan_products_hierarchy_fk foreign key (org_id, repayment_hierarchy_code)
    references lending_repayment_hierarchies (org_id, code)
);
create unique index lending_loan_products_seq on lending_loan_products (org_id, seq);
create index lending_loan_products_program on lending_loan_products (org_id, program_id);
create index lending_loan_products_hierarchy on lending_loan_products (org_id, repayment_hierarchy_code)
  where repayment_hierarchy_code is not null;

-- The ordered charge and penalty plan codes of a product (a plan in use cannot be deleted).
create table lending_loan_product_charge_plans (
  org_id text not null,
  product_id text not null,
  position integer not null check (position >= 0),
  code text not null,
  primary key (org_id, product_id, position),
  constraint lending_product_charge_plans_product_fk foreign key (org_id, product_id)
    references lending_loan_products (org_id, product_id),
  constraint lending_product_charge_plans_plan_fk foreign key (org_id, code) references lending_charge_plans (org_id, code)
);
create index lending_loan_product_charge_plans_code on lending_loan_product_charge_plans (org_id, code);

create table lending_loan_product_penalty_plans (
  org_id text not null,
  product_id text not null,
  position integer not null check (position >= 0),
  code text not null,
  primary key (org_id, product_id, position),
  constraint lending_product_penalty_plans_product_fk foreign key (org_id, product_id)
    references lending_loan_products (org_id, product_id),
  constraint lending_product_penalty_plans_plan_fk foreign key (org_id, code) references lending_penalty_plans (org_id, code)
);
create index lending_loan_product_penalty_plans_code on lending_loan_product_penalty_plans (org_id, code);

-- Past-due notification settings of a program (Pismo's program configurations).
create table lending_program_configurations (
  org_id text not null,
  program_id bigint not null,
  configs jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, program_id),
  constraint lending_program_configurations_program_fk foreign key (org_id, program_id) references programs (org_id, program_id)
);

do $$
declare
  t text;
begin
  foreach t in array array[
    'lending_charge_plans', 'lending_penalty_plans', 'lending_repayment_hierarchies', 'lending_loan_products',
    'lending_loan_product_charge_plans', 'lending_loan_product_penalty_plans', 'lending_program_configurations'
  ] loop
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
