-- A posting's entry must exist: checked once per entry a statement wrote, by the statement trigger
-- that already checks each entry balances (0020), instead of by the foreign key, which ran one
-- referential check per posting row (a query locking the entry row FOR KEY SHARE: a WAL record
-- per entry, and a queued trigger per posting).
--
-- The guarantee is the one the foreign key gave: a posting whose entry is not in the journal (nor
-- written by the same statement) is refused with foreign_key_violation (23503). The other half of
-- the foreign key, an entry deleted from under its postings, cannot happen: entries and postings
-- are append-only (0014's triggers refuse UPDATE, DELETE and TRUNCATE).
alter table ledger_postings drop constraint ledger_postings_org_id_entry_id_fkey;

create or replace function ledger_entries_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
  -- Every entry the statement's postings name exists (written before, or by this statement): one
  -- primary-key probe per entry, as below.
  select e.entry_id into bad
  from (select distinct org_id, entry_id from new_postings) e
  left join lateral (
    select true as present from ledger_journal_entries j where j.org_id = e.org_id and j.entry_id = e.entry_id offset 0
  ) j on true
  where j.present is null
  limit 1;
  if found then
    raise exception 'ledger postings name entry %, which is not in the journal', bad.entry_id
      using errcode = '23503';
  end if;
  -- One indexed look per entry the statement wrote (a lateral join, so the planner never scans
  -- the whole journal for a transition table it cannot estimate).
  select e.entry_id, b.currency, b.total into bad
  from (select distinct org_id, entry_id from new_postings) e
  cross join lateral (
    select p.currency, sum(p.amount_minor) as total
    from ledger_postings p
    where p.org_id = e.org_id and p.entry_id = e.entry_id
    group by p.currency
    having sum(p.amount_minor) <> 0
    limit 1
  ) b
  limit 1;
  if found then
    raise exception 'ledger entry % does not balance: % postings sum to %', bad.entry_id, bad.currency, bad.total
      using errcode = '23514';
  end if;
  return null;
end
$$;
