-- Penalties charged on late installments by the product's penalty plans: one row per installment,
-- plan and accrual period (0 for a late fee), so a day closed again charges nothing twice. The
-- amounts are added to the installment's penalty.
create table lending_penalty_accruals (
  org_id text not null,
  loan_id text not null,
  number integer not null,
  plan_code text not null,
  period integer not null check (period >= 0),
  accrual_date text not null check (accrual_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  amount_minor bigint not null check (amount_minor >= 0),
  created_at timestamptz not null,
  primary key (org_id, loan_id, number, plan_code, period),
  constraint lending_penalty_accruals_loan_fk foreign key (org_id, loan_id) references lending_loans (org_id, loan_id)
);

alter table lending_penalty_accruals enable row level security;
alter table lending_penalty_accruals force row level security;
create policy tenant_isolation on lending_penalty_accruals
  using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
  with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on');
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant select, insert, update, delete on lending_penalty_accruals to lastro_app;
  end if;
end $$;
