-- The outbox trigger's NOTIFY, silenced where Lastro sends its own. A transaction that sends a
-- NOTIFY takes a database-wide lock at commit and keeps it through its WAL flush, so every
-- session writing events committed one after another (about a third of the commits per second
-- PostgreSQL manages without). Lastro's transactions set lastro.outbox_notify = off (SET LOCAL)
-- when they write events and send one NOTIFY after they commit, shared by the commits of a few
-- milliseconds in the process. Writes from anywhere else (psql, another tool) still notify here.
create or replace function event_outbox_notify() returns trigger language plpgsql as $$
begin
  if current_setting('lastro.outbox_notify', true) is distinct from 'off' then
    perform pg_notify('lastro_events', '');
  end if;
  return null;
end
$$;
