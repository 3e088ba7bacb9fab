-- Lookups by tracking id reach their rows through an index whatever the tables' statistics.
--
-- An authorization's tracking id is unique per operation; the index now leads with the tracking
-- id, so one index serves a lookup by tracking id and operations (a payment's replay, a group's
-- check of its tracking ids) and by tracking id alone (transactions filtered by an
-- authorization's tracking id), each as a short range of one org's index. Same uniqueness, same
-- name: a tracking id taken concurrently still violates `ledger_authorizations_tracking`.
-- Building the index blocks inserts of authorizations until it is done: on a large production
-- table, upgrade in a quiet window.
create unique index ledger_authorizations_tracking_new on ledger_authorizations (org_id, tracking_id, operation) where tracking_id is not null;
drop index ledger_authorizations_tracking;
alter index ledger_authorizations_tracking_new rename to ledger_authorizations_tracking;

-- A hold is found by the tracking id of the block that made it (unblock, transfer of held funds);
-- without an index that read every hold of the org.
create index ledger_holds_tracking on ledger_holds (org_id, tracking_id) where tracking_id is not null;
