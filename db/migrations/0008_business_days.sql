-- Business days: which day each org (and each program with its own time zone or cycle closing)
-- has closed, the day being closed and which day handlers have finished it, and sandbox
-- test-clock advances. Tenant tables: org_id first in every key, row-level security as in 0002.

-- One row per closing scope: program_id 0 is the org's own day (the org's time zone and
-- cycle_closing); a program gets a row once its time zone or cycle_closing differs from the org's
-- and keeps it. The org row doubles as the org's lock: day closing for an org runs under
-- SELECT … FOR UPDATE of it, one handler-day per transaction.
create table business_day_scopes (
  org_id text not null,
  program_id bigint not null check (program_id >= 0),
  time_zone text not null,
  -- HH:MM:SS; null: the day closes at local midnight.
  cycle_closing text check (cycle_closing ~ '^[0-9]{2}:[0-9]{2}:[0-9]{2}$'),
  last_closed text not null check (last_closed ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  -- The day being closed (some handlers done), and those handlers.
  day_in_progress text check (day_in_progress ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  handlers_done text[] not null default '{}',
  -- When the next day may close: its closing instant, or the epoch when a test-clock advance
  -- wants it now. Null: paused (the org is inactive).
  next_due_at timestamptz,
  -- Org row only: a failed handler's backoff, and the running test-clock advance.
  failures integer not null default 0,
  retry_at timestamptz,
  last_error text,
  advance_id uuid,
  advance_to text check (advance_to ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  advance_cid text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, program_id)
);
create index business_day_scopes_due on business_day_scopes (next_due_at) where next_due_at is not null;

-- POST /lastro/v1/clock/advance: one row per advance; at most one RUNNING per org.
create table test_clock_advances (
  org_id text not null,
  advance_id uuid not null,
  from_date text not null check (from_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  to_date text not null check (to_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  days integer not null check (days >= 0),
  status text not null check (status in ('RUNNING', 'DONE')),
  cid text,
  created_at timestamptz not null,
  finished_at timestamptz,
  primary key (org_id, advance_id)
);
create unique index test_clock_advances_running on test_clock_advances (org_id) where status = 'RUNNING';

-- The business day an event was emitted on (a day handler's day); null for events emitted
-- outside one. The envelope's timestamp stays the wall clock.
alter table event_outbox add column business_date text check (business_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

do $$
declare
  t text;
begin
  foreach t in array array['business_day_scopes', 'test_clock_advances'] loop
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
