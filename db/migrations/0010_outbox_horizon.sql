-- The outbox's read horizon, per database. Readers serve only rows of transactions that can no
-- longer commit behind them. The snapshot's xmin is such a horizon, but it is cluster-wide: a
-- transaction left open in ANOTHER database on the same server (another deployment, a test run)
-- held every reader here back for as long as it stayed open. Only this database's transactions
-- can write this outbox, so the horizon is the oldest transaction still running in the snapshot
-- that is not provably another database's (a running backend of another database, as
-- pg_stat_activity shows it); a transaction that has finished since the snapshot was taken
-- cannot be placed, so it is kept, as before. Without any such transaction: the snapshot's xmax.
-- SECURITY DEFINER: pg_stat_activity shows other roles' transaction ids only to privileged
-- roles, and tenant transactions run as lastro_app. It takes no input and reads no table.
create function lastro_outbox_horizon() returns xid8
language sql stable security definer set search_path = pg_catalog as $$
  select coalesce(
    (select min(x)
       from pg_snapshot_xip(pg_current_snapshot()) as x
      where not exists (
        select 1 from pg_stat_activity a
         where a.backend_xid = x::xid and a.datname is distinct from current_database())),
    pg_snapshot_xmax(pg_current_snapshot()))
$$;

do $$ begin
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant execute on function lastro_outbox_horizon() to lastro_app;
  end if;
end $$;
