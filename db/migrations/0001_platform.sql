-- Platform tables shared by every module.

-- Installation facts (installation id, first start). Not tenant data.
create table lastro_meta (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

-- Idempotency keys: one row per (org, key), written in the same transaction as the effect it
-- guards, so a retried request either sees the stored response or performs the effect once.
create table idempotency_keys (
  org_id text not null,
  key text not null,
  operation text not null,
  fingerprint text not null,
  status_code integer not null,
  response_body jsonb,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  primary key (org_id, key)
);
create index idempotency_keys_expires_at on idempotency_keys (expires_at);
