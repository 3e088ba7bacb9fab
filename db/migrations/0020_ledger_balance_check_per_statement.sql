-- An entry's postings must sum to zero per currency: checked once per statement that inserts
-- postings, for every entry the statement touches, instead of once per posting at commit.
-- Lastro writes an entry and all its postings in one statement (journal.repo writeEntryQuery), so
-- the rule is the same one, a little stricter (an entry cannot be completed by a later statement)
-- and far cheaper: a transfer's four postings ran four deferred checks, each summing the entry's
-- postings again at COMMIT; a statement now runs one check per entry it wrote.
drop trigger ledger_postings_balanced on ledger_postings;
drop function ledger_entry_balanced();

create function ledger_entries_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
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
create trigger ledger_postings_balanced after insert on ledger_postings
  referencing new table as new_postings
  for each statement execute function ledger_entries_balanced();
