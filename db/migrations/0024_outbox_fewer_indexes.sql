-- Fewer index entries per event. A transfer writes six events, and with four indexes on the
-- outbox they were half of a transfer's WAL records (30 of 64: six heap inserts and 24 index
-- inserts; pg_waldump of a `bench ledger` round). Every other write writes at least one event.
-- The outbox keeps one B-tree, its primary key.
--
-- The primary key becomes (org_id, tx_id, seq), the order every reader follows (0003's replay
-- index, which goes). seq stays unique: it comes from its identity sequence, and no statement
-- looks a row up by (org_id, seq) alone (retention deletes by the new key).
--
-- The (org_id, event_id) index goes too: webhook deliveries keep their event's position
-- (event_tx, event_seq) and now find the event by it. event_id stays unique as it was made: a
-- random UUID per event, written once.
--
-- occurred_at, read only by retention's range scan, gets a BRIN index instead of a B-tree: rows
-- arrive in about occurred_at order, so a block range summary finds the old ones, and an insert
-- costs the index nothing until its range is summarized (autosummarize: by autovacuum when a range
-- fills; an unsummarized range is always scanned, so the answer is right either way).
--
-- Building the new primary key holds the outbox locked (event writes wait): on a large production
-- database, upgrade in a quiet window (retention keeps the outbox to its configured days).
alter table event_outbox drop constraint event_outbox_pkey;
alter table event_outbox add constraint event_outbox_pkey primary key (org_id, tx_id, seq);
drop index event_outbox_replay;
drop index event_outbox_event;
drop index event_outbox_occurred;
create index event_outbox_occurred on event_outbox using brin (occurred_at) with (autosummarize = on);
