-- Event delivery: subscriptions (a filter and one sink per row), webhook deliveries with their
-- attempt log, and the batch files written for file sinks. The relay keeps one cursor per
-- subscription (the outbox position of the last event the sink has durably taken), so a
-- restart resumes exactly there: delivery is at least once, deduped by event_id.
create table event_subscriptions (
  id uuid primary key,
  org_id text not null,
  description text,
  status text not null check (status in ('active', 'disabled')),
  disabled_reason text,
  domains text[] not null default '{}',
  event_types text[] not null default '{}',
  sink_type text not null check (sink_type in ('webhook', 'nats', 'file')),
  sink jsonb not null,
  secret text,
  -- After a secret rotation, the previous secret also signs until previous_secret_until.
  previous_secret text,
  previous_secret_until timestamptz,
  cursor_tx xid8,
  cursor_seq bigint,
  consecutive_failures integer not null default 0,
  -- When the current run of failed webhook attempts began (null after a success).
  failing_since timestamptz,
  -- Bumped by every change of settings: the relay restarts its worker for the subscription, and
  -- a worker of an older revision can no longer move the cursor.
  revision integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index event_subscriptions_org on event_subscriptions (org_id, created_at, id);
create index event_subscriptions_active on event_subscriptions (status) where status = 'active';

create table event_deliveries (
  id uuid primary key,
  org_id text not null,
  subscription_id uuid not null references event_subscriptions (id) on delete cascade,
  event_id uuid not null,
  event_tx xid8 not null,
  event_seq bigint not null,
  status text not null check (status in ('pending', 'succeeded', 'failed')),
  attempts integer not null default 0,
  first_attempt_at timestamptz,
  next_attempt_at timestamptz,
  lease_until timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (subscription_id, event_id)
);
create index event_deliveries_due on event_deliveries (next_attempt_at) where status = 'pending';
create index event_deliveries_list on event_deliveries (org_id, subscription_id, event_tx desc, event_seq desc);
create index event_deliveries_event on event_deliveries (event_id);

create table event_delivery_attempts (
  delivery_id uuid not null references event_deliveries (id) on delete cascade,
  attempt integer not null,
  org_id text not null,
  started_at timestamptz not null,
  duration_ms integer not null,
  status_code integer,
  error text,
  response_body text,
  primary key (delivery_id, attempt)
);

create table event_files (
  id uuid primary key,
  -- Listing order: files are listed by the one relay that writes them, one transaction each, so
  -- a file listed later always has a larger seq and a consumer's cursor never passes over it.
  seq bigint generated always as identity,
  org_id text not null,
  subscription_id uuid not null references event_subscriptions (id) on delete cascade,
  name text not null,
  event_count integer not null,
  bytes bigint not null,
  sha256 text not null,
  first_event_id uuid not null,
  last_event_id uuid not null,
  first_timestamp timestamptz not null,
  last_timestamp timestamptz not null,
  created_at timestamptz not null,
  unique (subscription_id, name)
);
create index event_files_list on event_files (org_id, seq);

do $$
declare
  t text;
begin
  foreach t in array array['event_subscriptions', 'event_deliveries', 'event_delivery_attempts', 'event_files'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')$p$, t);
  end loop;
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant select, insert, update, delete on event_subscriptions, event_deliveries, event_delivery_attempts, event_files to lastro_app;
  end if;
end
$$;

-- Wakes relays in other processes as soon as events commit (one notification per transaction:
-- PostgreSQL folds identical notifications of one transaction into one).
create function event_outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('lastro_events', '');
  return null;
end
$$;
create trigger event_outbox_notify after insert on event_outbox
  for each statement execute function event_outbox_notify();

-- Retention deletes old events by time.
create index event_outbox_occurred on event_outbox (occurred_at);
