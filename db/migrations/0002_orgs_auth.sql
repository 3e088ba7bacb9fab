-- Organizations (tenants), their credentials, registered OpenID keys, Lastro's own token signing
-- keys, refresh tokens, and the event outbox. Every tenant table has org_id as the first column
-- of its primary key (so it can be distributed by org_id) and row-level security (below).

create table orgs (
  org_id text primary key,
  official_name text not null,
  org_name text not null,
  document_number text not null,
  address text,
  number integer,
  complementary_address text,
  neighborhood text,
  zipcode text,
  city text,
  state text,
  country text,
  legal_proxy_name text,
  legal_proxy_document text,
  responsible text not null,
  currency_numeric_code text not null,
  timezone text not null,
  language text not null default 'en-US',
  country_code text not null,
  cycle_closing text,
  holiday_calendar_id bigint,
  start_date text,
  expiration_date text,
  sandbox boolean not null default false,
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'INACTIVE')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deactivated_at timestamptz
);

-- server_key / server_secret pairs. The secret is kept only as a slow (scrypt) hash.
create table credentials (
  org_id text not null references orgs (org_id),
  credential_id text not null,
  server_key text not null unique,
  secret_hash text not null,
  description text,
  permissions text[] not null,
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'REVOKED')),
  failed_attempts integer not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  primary key (org_id, credential_id)
);

-- Client public keys for OpenID Connect client-signed JWTs (RS256).
create table oidc_keys (
  org_id text not null references orgs (org_id),
  key_id text not null,
  name text,
  iss text not null,
  sub text not null,
  public_jwk jsonb not null,
  permissions text[] not null,
  status text not null default 'ACTIVE' check (status in ('ACTIVE', 'REVOKED')),
  created_at timestamptz not null,
  revoked_at timestamptz,
  primary key (org_id, key_id)
);
create unique index oidc_keys_iss_active on oidc_keys (org_id, iss) where status = 'ACTIVE';

-- Lastro's own RS256 signing keys (not tenant data). One is active; retired keys still verify
-- until the last token they signed has expired.
create table signing_keys (
  kid text primary key,
  private_key text not null,
  public_jwk jsonb not null,
  status text not null check (status in ('ACTIVE', 'RETIRED')),
  created_at timestamptz not null,
  retired_at timestamptz,
  verify_until timestamptz
);
create unique index signing_keys_one_active on signing_keys (status) where status = 'ACTIVE';

-- Refresh tokens are opaque; only their SHA-256 is stored. Each is used once (rotation).
create table refresh_tokens (
  org_id text not null references orgs (org_id),
  token_hash text not null,
  subject_kind text not null check (subject_kind in ('credential', 'oidc_key')),
  subject_id text not null,
  account_id text,
  permissions text[] not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null,
  primary key (org_id, token_hash)
);
create unique index refresh_tokens_hash on refresh_tokens (token_hash);

-- The event outbox: events are written in the same transaction as the change they describe.
create table event_outbox (
  org_id text not null,
  seq bigint generated always as identity,
  event_id uuid not null unique,
  domain text not null,
  event_type text not null,
  schema_version integer not null,
  cid text,
  occurred_at timestamptz not null,
  data jsonb not null,
  primary key (org_id, seq)
);
create index event_outbox_seq on event_outbox (seq);

-- Row-level security: a second wall behind the org_id predicate in every query. Tenant
-- transactions run as the role lastro_app with lastro.org_id set (see Database.transaction);
-- system work (migrations, jobs, the operator API) sets lastro.system.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'lastro_app') then
    begin
      create role lastro_app nologin;
    exception when insufficient_privilege then
      raise notice 'cannot create role lastro_app; row-level security applies through FORCE only';
    end;
  end if;
end
$$;

do $$
declare
  t text;
begin
  foreach t in array array['orgs', 'credentials', 'oidc_keys', 'refresh_tokens', 'event_outbox', 'idempotency_keys'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')$p$, t);
  end loop;
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant usage on schema public to lastro_app;
    grant select, insert, update, delete on all tables in schema public to lastro_app;
    grant usage, select on all sequences in schema public to lastro_app;
    alter default privileges in schema public grant select, insert, update, delete on tables to lastro_app;
    alter default privileges in schema public grant usage, select on sequences to lastro_app;
  end if;
end
$$;
