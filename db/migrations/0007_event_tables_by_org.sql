-- Distribution by org: every tenant table's primary key and unique indexes start with org_id,
-- and foreign keys between tenant tables carry org_id, so a sharded PostgreSQL (e.g. Citus,
-- distribution column org_id) keeps each org's rows, and the rows they reference, on one node
-- (docs/architecture.md, "Distribution by org"). The event delivery tables were keyed by a bare
-- uuid; the outbox's event_id was unique across orgs. The global int64 ids of programs and
-- calendars stay as they are, on the allow-list of test/integration/distribution.test.ts.

-- Foreign keys go first: they depend on the unique indexes replaced below.
alter table event_deliveries drop constraint event_deliveries_subscription_id_fkey;
alter table event_files drop constraint event_files_subscription_id_fkey;
alter table event_delivery_attempts drop constraint event_delivery_attempts_delivery_id_fkey;

alter table event_subscriptions drop constraint event_subscriptions_pkey;
alter table event_subscriptions add constraint event_subscriptions_pkey primary key (org_id, id);

alter table event_deliveries drop constraint event_deliveries_pkey;
alter table event_deliveries add constraint event_deliveries_pkey primary key (org_id, id);
alter table event_deliveries drop constraint event_deliveries_subscription_id_event_id_key;
alter table event_deliveries add constraint event_deliveries_subscription_event unique (org_id, subscription_id, event_id);
alter table event_deliveries add constraint event_deliveries_subscription_fk
  foreign key (org_id, subscription_id) references event_subscriptions (org_id, id) on delete cascade;
-- Retention asks whether an event still has a pending delivery; the relay joins deliveries to
-- their events. Both by (org_id, event_id) now.
drop index event_deliveries_event;
create index event_deliveries_event on event_deliveries (org_id, event_id);

alter table event_delivery_attempts drop constraint event_delivery_attempts_pkey;
alter table event_delivery_attempts add constraint event_delivery_attempts_pkey primary key (org_id, delivery_id, attempt);
alter table event_delivery_attempts add constraint event_delivery_attempts_delivery_fk
  foreign key (org_id, delivery_id) references event_deliveries (org_id, id) on delete cascade;

alter table event_files drop constraint event_files_pkey;
alter table event_files add constraint event_files_pkey primary key (org_id, id);
alter table event_files drop constraint event_files_subscription_id_name_key;
alter table event_files add constraint event_files_subscription_name unique (org_id, subscription_id, name);
alter table event_files add constraint event_files_subscription_fk
  foreign key (org_id, subscription_id) references event_subscriptions (org_id, id) on delete cascade;

-- event_id stays unique within its org (the consumer's dedupe key is a random uuid either way).
alter table event_outbox drop constraint event_outbox_event_id_key;
create unique index event_outbox_event on event_outbox (org_id, event_id);
