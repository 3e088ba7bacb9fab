-- The ledger's journal, balances and limits (docs/ledger.md). Tenant tables: org_id first in
-- every key, row-level security as in 0005 and 0008.
--
-- Invariants the database itself keeps:
--   * postings and journal entries are append-only: the application role may only insert and
--     select them, and a trigger refuses UPDATE, DELETE and TRUNCATE even for their owner (a
--     correction is a reversal entry);
--   * every entry's postings sum to zero per currency, checked at commit (a deferred trigger).
-- The stored balances (customer buckets, internal sub-balances) are kept equal to the sums of
-- postings by the code that writes both in one transaction; `lastro ledger verify` checks it.

-- The org's internal (GL) accounts, one per code and currency, opened by the ledger's org setup
-- or on first use of a currency. Each is split into `shards` sub-balance rows.
create table ledger_internal_accounts (
  org_id text not null,
  code text not null check (code ~ '^[A-Z_]{1,30}$'),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  shards smallint not null check (shards between 1 and 256),
  created_at timestamptz not null,
  primary key (org_id, code, currency)
);

-- Sub-balances of an internal account: an entry posts to the shard its entry id hashes to, so no
-- org-wide row is locked on the request path. The account's balance is the sum over its shards.
create table ledger_internal_balances (
  org_id text not null,
  code text not null,
  currency text not null,
  shard smallint not null check (shard >= 0),
  balance_minor bigint not null default 0,
  primary key (org_id, code, currency, shard),
  foreign key (org_id, code, currency) references ledger_internal_accounts (org_id, code, currency)
);

-- One row per customer account and currency: the posted buckets and what follows from them.
-- Opened in the transaction that creates the account. Money movements lock these rows (FOR UPDATE,
-- in account id order) to check and spend atomically.
create table ledger_account_balances (
  org_id text not null,
  account_id bigint not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  available_minor bigint not null default 0,
  held_minor bigint not null default 0,
  current_minor bigint not null default 0,
  credit_used_minor bigint not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, account_id, currency),
  check (current_minor = available_minor + held_minor),
  check (credit_used_minor = greatest(-current_minor, 0)),
  check (held_minor >= 0)
);

-- Limits of an account (Pismo's ledger limits), in minor units of the account's currency.
-- `mode`: how the account spends (credit: against total_credit_limit; debit and prepaid: against
-- its balance plus total_overdraft_limit).
create table ledger_account_limits (
  org_id text not null,
  account_id bigint not null,
  program_id bigint not null,
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  mode text not null check (mode in ('credit', 'debit')),
  max_credit_limit_minor bigint check (max_credit_limit_minor >= 0),
  total_credit_limit_minor bigint check (total_credit_limit_minor >= 0),
  total_overdraft_limit_minor bigint check (total_overdraft_limit_minor >= 0),
  percentage_over_limit numeric(9, 4) check (percentage_over_limit >= 0),
  total_installment_credit_limit_minor bigint check (total_installment_credit_limit_minor >= 0),
  withdrawal_credit_limit_minor bigint check (withdrawal_credit_limit_minor >= 0),
  monthly_credit_limit_minor bigint check (monthly_credit_limit_minor >= 0),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, account_id)
);
create index ledger_account_limits_program on ledger_account_limits (org_id, program_id);

-- Program limit configurations (PATCH /balances-limits/v1/accounts/{id}/limits is checked
-- against them).
create table ledger_global_configs (
  org_id text not null,
  program_id bigint not null,
  level text not null check (level = 'PROGRAM'),
  max_credit_limit_minor bigint not null check (max_credit_limit_minor >= 0),
  max_credit_limit_active boolean not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, program_id)
);

create sequence ledger_entry_id_seq;

-- One entry per financial transaction.
create table ledger_journal_entries (
  org_id text not null,
  entry_id bigint not null default nextval('ledger_entry_id_seq'),
  -- PAYMENT, HOLD, UNBLOCK, HOLD_TRANSFER, HOLD_EXPIRY, REVERSAL, …
  kind text not null check (kind ~ '^[A-Z_]{1,30}$'),
  authorization_id bigint,
  reverses_entry_id bigint,
  business_date text not null check (business_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  cid text,
  created_at timestamptz not null,
  primary key (org_id, entry_id)
);
create unique index ledger_journal_entries_reversal on ledger_journal_entries (org_id, reverses_entry_id) where reverses_entry_id is not null;

create table ledger_postings (
  org_id text not null,
  entry_id bigint not null,
  posting_no smallint not null check (posting_no >= 0),
  -- A customer account's bucket, or an internal account's shard: exactly one of them.
  account_id bigint,
  internal_code text,
  shard smallint,
  bucket text not null check (bucket in ('AVAILABLE', 'HELD', 'GL')),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  amount_minor bigint not null check (amount_minor <> 0),
  processing_code text,
  primary key (org_id, entry_id, posting_no),
  foreign key (org_id, entry_id) references ledger_journal_entries (org_id, entry_id),
  check (
    (account_id is not null and internal_code is null and shard is null and bucket in ('AVAILABLE', 'HELD'))
    or (account_id is null and internal_code is not null and shard is not null and bucket = 'GL')
  )
);
create index ledger_postings_account on ledger_postings (org_id, account_id, currency) where account_id is not null;
create index ledger_postings_internal on ledger_postings (org_id, internal_code, currency, shard) where internal_code is not null;

-- Authorizations: every payment, hold operation and cancellation, accepted or declined. A
-- declined one posts nothing (entry_id null) and carries its reason. tracking_id is Pismo's own
-- idempotency key on payments: unique per org.
create table ledger_authorizations (
  org_id text not null,
  authorization_id bigint generated always as identity,
  operation text not null check (operation ~ '^[A-Z_]{1,30}$'),
  tracking_id text,
  status text not null check (status in ('APPROVED', 'DECLINED', 'CANCELLED')),
  response_code text not null,
  reason text,
  account_id bigint,
  currency text,
  amount_minor bigint,
  entry_id bigint,
  cancel_entry_id bigint,
  original_authorization_id bigint,
  request jsonb not null,
  response jsonb,
  cid text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, authorization_id)
);
create unique index ledger_authorizations_tracking on ledger_authorizations (org_id, operation, tracking_id) where tracking_id is not null;
create index ledger_authorizations_account on ledger_authorizations (org_id, account_id, created_at);

-- Funds on hold: blocked, then unblocked, transferred, expired at end of day, or (a transfer)
-- cancelled back to held.
create table ledger_holds (
  org_id text not null,
  hold_id bigint generated always as identity,
  account_id bigint not null,
  currency text not null,
  amount_minor bigint not null check (amount_minor > 0),
  status text not null check (status in ('BLOCKED', 'UNBLOCKED', 'TRANSFERRED', 'EXPIRED')),
  tracking_id text,
  authorization_id bigint not null,
  entry_id bigint not null,
  release_entry_id bigint,
  -- The last business day the hold lasts; the end-of-day handler releases it after that day.
  expires_on text check (expires_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, hold_id)
);
create index ledger_holds_account on ledger_holds (org_id, account_id) where status = 'BLOCKED';
create index ledger_holds_expiry on ledger_holds (org_id, expires_on) where status = 'BLOCKED';

-- Pismo's transactions (GET /transactions-core/v2/transactions): one per account leg of an
-- approved authorization, with its processing code, amount and dates.
create table ledger_transactions (
  org_id text not null,
  transaction_id bigint generated always as identity,
  account_id bigint not null,
  program_id bigint not null,
  authorization_id bigint,
  entry_id bigint not null,
  processing_code text not null,
  processing_description text,
  credit boolean not null,
  currency text not null,
  amount_minor bigint not null,
  event_date text not null check (event_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  event_datetime timestamptz not null,
  created_at timestamptz not null,
  primary key (org_id, transaction_id)
);
create index ledger_transactions_account on ledger_transactions (org_id, account_id, event_date, transaction_id);

-- Balances as each business day closed (the end-of-day handler writes them).
create table ledger_daily_balances (
  org_id text not null,
  account_id bigint not null,
  currency text not null,
  ref_date text not null check (ref_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  available_minor bigint not null,
  held_minor bigint not null,
  current_minor bigint not null,
  credit_used_minor bigint not null,
  created_at timestamptz not null,
  primary key (org_id, account_id, currency, ref_date)
);

-- An entry's postings must sum to zero per currency: checked once the transaction commits, so
-- its postings may be inserted in any order.
create function ledger_entry_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
  select currency, sum(amount_minor) as total into bad
  from ledger_postings
  where org_id = new.org_id and entry_id = new.entry_id
  group by currency
  having sum(amount_minor) <> 0
  limit 1;
  if found then
    raise exception 'ledger entry % does not balance: % postings sum to %', new.entry_id, bad.currency, bad.total
      using errcode = '23514';
  end if;
  return null;
end
$$;
create constraint trigger ledger_postings_balanced after insert on ledger_postings
  deferrable initially deferred for each row execute function ledger_entry_balanced();

create function ledger_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: post a reversal entry instead', tg_table_name using errcode = '42501';
end
$$;
create trigger ledger_postings_append_only before update or delete on ledger_postings
  for each row execute function ledger_append_only();
create trigger ledger_postings_no_truncate before truncate on ledger_postings
  for each statement execute function ledger_append_only();
create trigger ledger_journal_entries_append_only before update or delete on ledger_journal_entries
  for each row execute function ledger_append_only();
create trigger ledger_journal_entries_no_truncate before truncate on ledger_journal_entries
  for each statement execute function ledger_append_only();

do $$
declare
  t text;
begin
  foreach t in array array['ledger_internal_accounts', 'ledger_internal_balances', 'ledger_account_balances', 'ledger_account_limits',
                           'ledger_global_configs', 'ledger_journal_entries', 'ledger_postings', 'ledger_authorizations', 'ledger_holds',
                           'ledger_transactions', 'ledger_daily_balances'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')$p$, t);
    if exists (select 1 from pg_roles where rolname = 'lastro_app') then
      if t in ('ledger_journal_entries', 'ledger_postings') then
        -- The default privileges of 0002 granted more: the journal is insert and select only.
        execute format('revoke all on %I from lastro_app', t);
        execute format('grant select, insert on %I to lastro_app', t);
      else
        execute format('grant select, insert, update, delete on %I to lastro_app', t);
      end if;
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant usage, select on all sequences in schema public to lastro_app;
  end if;
end
$$;
