-- Which version of each module's per-org setup (LastroModule.orgSetup) every org has had. Org
-- creation records it in its own transaction; `start` and `worker` processes apply a missing or
-- older setup to existing orgs at start-up and record it here, so each runs once per version.
create table org_setups (
  org_id text not null references orgs (org_id),
  module text not null,
  version integer not null check (version >= 1),
  applied_at timestamptz not null,
  primary key (org_id, module)
);

alter table org_setups enable row level security;
alter table org_setups force row level security;
create policy tenant_isolation on org_setups
  using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
  with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on');

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant select, insert, update, delete on org_setups to lastro_app;
  end if;
end
$$;
