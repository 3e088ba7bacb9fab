-- Lending (Pismo Lending API v1): the life of a loan — simulations, loans booked from them, their
-- installments, disbursements and repayments, and the prepayment and early-settlement quotes a
-- loan is given. Every table is a tenant table: org_id first in the primary key, and the
-- row-level security policy of 0002. Dates are ISO text (`YYYY-MM-DD`), as the
-- journal's business dates. Amounts are integer minor units in the loan's currency
-- (`*_minor bigint` beside currency_numeric_code); rates stay decimal text inside the json terms.

create table lending_simulations (
  org_id text not null references orgs (org_id),
  -- A UUID, or the client's own simulation_id (^[A-Z0-9_]{1,36}$).
  simulation_id text not null check (length(simulation_id) between 1 and 36),
  product_id text not null,
  external_id text check (length(external_id) between 1 and 50),
  currency_numeric_code text not null check (currency_numeric_code ~ '^[0-9]{3}$'),
  loan_amount_minor bigint not null check (loan_amount_minor > 0),
  start_date text not null check (start_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  -- The request as sent (what booking re-validates) and the answer (what GET returns).
  request jsonb not null,
  answer jsonb not null,
  -- A simulation can be booked once, until it expires.
  expires_at timestamptz not null,
  loan_id text,
  created_at timestamptz not null,
  primary key (org_id, simulation_id),
  constraint lending_simulations_product_fk foreign key (org_id, product_id) references lending_loan_products (org_id, product_id)
);
create unique index lending_simulations_loan on lending_simulations (org_id, loan_id) where loan_id is not null;

create table lending_loans (
  org_id text not null references orgs (org_id),
  loan_id text not null check (length(loan_id) between 1 and 36),
  seq bigint generated always as identity,
  simulation_id text not null,
  product_id text not null,
  program_id bigint not null,
  account_id bigint not null,
  external_id text check (length(external_id) between 1 and 50),
  status text not null check (status in ('PENDING', 'BOOKED', 'ACTIVE', 'CANCELED', 'SETTLED', 'RENEGOTIATED')),
  currency_numeric_code text not null check (currency_numeric_code ~ '^[0-9]{3}$'),
  loan_amount_minor bigint not null check (loan_amount_minor > 0),
  start_date text not null check (start_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  -- The schedule's terms as booked: the simulation's answer (stages, method, frequency, totals).
  terms jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, loan_id),
  constraint lending_loans_simulation_fk foreign key (org_id, simulation_id) references lending_simulations (org_id, simulation_id),
  constraint lending_loans_product_fk foreign key (org_id, product_id) references lending_loan_products (org_id, product_id)
);
create unique index lending_loans_seq on lending_loans (org_id, seq);
create unique index lending_loans_simulation on lending_loans (org_id, simulation_id);
create index lending_loans_account on lending_loans (org_id, account_id);
create index lending_loans_open on lending_loans (org_id, status) where status in ('BOOKED', 'ACTIVE');

create table lending_loan_installments (
  org_id text not null,
  loan_id text not null,
  -- 0: what is due on the disbursement date (down payment, upfront charges); then 1, 2, …
  number integer not null check (number >= 0),
  due_date text not null check (due_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  real_due_date text not null check (real_due_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  number_of_days integer not null,
  -- What the installment owes, by component, and what has been paid of each.
  principal_minor bigint not null check (principal_minor >= 0),
  interest_minor bigint not null check (interest_minor >= 0),
  fee_minor bigint not null check (fee_minor >= 0),
  tax_minor bigint not null check (tax_minor >= 0),
  charge_minor bigint not null check (charge_minor >= 0),
  penalty_minor bigint not null default 0 check (penalty_minor >= 0),
  paid_principal_minor bigint not null default 0,
  paid_interest_minor bigint not null default 0,
  paid_fee_minor bigint not null default 0,
  paid_tax_minor bigint not null default 0,
  paid_charge_minor bigint not null default 0,
  paid_penalty_minor bigint not null default 0,
  closing_balance_minor bigint not null,
  auto boolean not null default false,
  status text not null,
  primary key (org_id, loan_id, number),
  constraint lending_loan_installments_loan_fk foreign key (org_id, loan_id) references lending_loans (org_id, loan_id)
);
create index lending_loan_installments_due on lending_loan_installments (org_id, real_due_date) where status <> 'PAID';

create table lending_disbursements (
  org_id text not null,
  disbursement_id text not null,
  loan_id text not null,
  disbursement_date text not null check (disbursement_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  amount_minor bigint not null check (amount_minor >= 0),
  principal_minor bigint not null,
  fee_minor bigint not null default 0,
  tax_minor bigint not null default 0,
  charge_minor bigint not null default 0,
  status text not null check (status in ('SCHEDULED', 'PROCESSING', 'PAID', 'CANCELED')),
  -- INTERNAL (account_id) or EXTERNAL (bank details, as sent).
  account_type text check (account_type in ('INTERNAL', 'EXTERNAL')),
  account_id bigint,
  external_account jsonb,
  entry_id bigint,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, disbursement_id),
  constraint lending_disbursements_loan_fk foreign key (org_id, loan_id) references lending_loans (org_id, loan_id)
);
create index lending_disbursements_loan on lending_disbursements (org_id, loan_id);
create index lending_disbursements_due on lending_disbursements (org_id, disbursement_date) where status = 'SCHEDULED';

create table lending_repayments (
  org_id text not null,
  loan_id text not null,
  repayment_id text not null check (length(repayment_id) between 1 and 64),
  repayment_date text not null check (repayment_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  amount_minor bigint not null check (amount_minor > 0),
  overpayment_minor bigint not null default 0 check (overpayment_minor >= 0),
  external_id text,
  -- MANUAL (POST …/repayment) or AUTO (collected on the due date).
  source text not null check (source in ('MANUAL', 'AUTO', 'PREPAYMENT', 'EARLY_SETTLEMENT')),
  allocation jsonb not null,
  entry_id bigint,
  created_at timestamptz not null,
  primary key (org_id, loan_id, repayment_id),
  constraint lending_repayments_loan_fk foreign key (org_id, loan_id) references lending_loans (org_id, loan_id)
);

-- Prepayment and early-settlement simulations, registered at most once.
create table lending_loan_quotes (
  org_id text not null,
  quote_id text not null,
  loan_id text not null,
  kind text not null check (kind in ('PREPAYMENT', 'EARLY_SETTLEMENT')),
  amount_minor bigint not null check (amount_minor >= 0),
  answer jsonb not null,
  status text not null check (status in ('SIMULATED', 'REGISTERED')),
  expires_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, quote_id),
  constraint lending_loan_quotes_loan_fk foreign key (org_id, loan_id) references lending_loans (org_id, loan_id)
);
create index lending_loan_quotes_loan on lending_loan_quotes (org_id, loan_id);

do $$
declare
  t text;
begin
  foreach t in array array[
    'lending_simulations', 'lending_loans', 'lending_loan_installments', 'lending_disbursements',
    'lending_repayments', 'lending_loan_quotes'
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
