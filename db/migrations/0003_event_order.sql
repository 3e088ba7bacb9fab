-- Replay order for the outbox. seq is assigned at insert time, not commit time, so a reader that
-- follows seq can pass an event whose transaction commits late. Each row records its
-- transaction id; readers serve only rows of transactions older than their snapshot's xmin (all
-- of them finished), in (tx_id, seq) order. A transaction that commits later has a larger id
-- than any row already served, so a cursor never skips it.
alter table event_outbox add column tx_id xid8 not null default pg_current_xact_id();
create index event_outbox_replay on event_outbox (org_id, tx_id, seq);
