-- Several events in one outbox row. A statement that writes many events (a group of transfers
-- writes six per transfer, 50 and more at once) paid a heap tuple, a primary-key entry and their
-- WAL records for each; now the events one statement writes for one org share rows: a row carries
-- its first event in its own columns, as before, and the events written after it in `more`, a JSON
-- array of {event_id, domain, event_type, schema_version, cid, data} (data as the text Lastro
-- wrote). The events of a row share its org, occurred_at and business_date.
--
-- An event keeps a position of its own, (tx_id, seq), the order every reader follows: the row's
-- seq for its first event, seq + i for the i-th event of `more`. seq now steps by 64 per row, so a
-- row holds at most 64 events and no two rows' positions meet. Rows written before have no `more`
-- and their own seq: positions already handed out (cursors, deliveries) stay valid.
--
-- Readers read events through the view event_outbox_events: one row per event with its position
-- (seq), the row it is in (row_seq, row_index: 0 for the row's own columns). A reader after a
-- position (T, S) adds `(tx_id, row_seq) > (T, S - 64)`, which the primary key serves, to
-- `(tx_id, seq) > (T, S)`; a lookup of the event at (T, S), `row_seq between S - 63 and S`.
--
-- A row up to 8 kB stays in its heap page as written, neither compressed nor moved out of line
-- (Lastro keeps a row's events under that: see platform/db/outbox.repo.ts).
alter table event_outbox add column more json;
alter table event_outbox alter column seq set increment by 64;
alter table event_outbox set (toast_tuple_target = 8160);

create view event_outbox_events with (security_invoker = true) as
  select o.org_id, o.tx_id, o.seq + e.i as seq, o.seq as row_seq, e.i as row_index,
         e.event_id, e.domain, e.event_type, e.schema_version, e.cid, o.occurred_at, e.data, o.business_date
  from event_outbox o
  cross join lateral (
    select 0::bigint as i, o.event_id, o.domain, o.event_type, o.schema_version, o.cid, o.data
    union all
    select m.i, (m.e ->> 'event_id')::uuid, m.e ->> 'domain', m.e ->> 'event_type', (m.e ->> 'schema_version')::integer, m.e ->> 'cid', m.e -> 'data'
    from json_array_elements(o.more) with ordinality as m(e, i)
  ) e;

do $$
begin
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    revoke all on event_outbox_events from lastro_app;
    grant select on event_outbox_events to lastro_app;
  end if;
end
$$;
