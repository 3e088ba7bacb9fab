-- The statement trigger of 0020/0025 checks an entry's balance from the rows the statement wrote
-- (its transition table), grouped by entry and currency, instead of reading back every posting of
-- each entry it touched through the primary key; and both checks (the entry exists, it balances)
-- are one query instead of two.
--
-- The rule is the same one. Postings are append-only and every statement that wrote postings was
-- checked, so the postings an entry had before a statement sum to zero per currency: the entry
-- still balances after it exactly when the statement's own postings for it sum to zero per
-- currency. (Lastro writes an entry and all its postings in one statement; a statement adding
-- postings to an entry must itself balance, as 0020 already required.)
--
-- Measured with pgbench on a statement writing 8 entries and 16 postings (a group of transfers),
-- synchronous_commit off, one client: see bench/README.md "Figures".
create or replace function ledger_entries_balanced() returns trigger language plpgsql as $$
declare
  bad record;
begin
  -- Per entry and currency the statement wrote: the sum of its postings, and whether the entry is
  -- in the journal (written before, or by this statement: one primary-key probe each). A missing
  -- entry is reported before an unbalanced one.
  select s.entry_id, s.currency, s.total, j.present into bad
  from (
    select org_id, entry_id, currency, sum(amount_minor) as total
    from new_postings
    group by org_id, entry_id, currency
  ) s
  left join lateral (
    select true as present from ledger_journal_entries j where j.org_id = s.org_id and j.entry_id = s.entry_id offset 0
  ) j on true
  where j.present is null or s.total <> 0
  order by j.present nulls first
  limit 1;
  if not found then
    return null;
  end if;
  if bad.present is null then
    raise exception 'ledger postings name entry %, which is not in the journal', bad.entry_id
      using errcode = '23503';
  end if;
  raise exception 'ledger entry % does not balance: % postings sum to %', bad.entry_id, bad.currency, bad.total
    using errcode = '23514';
end
$$;
