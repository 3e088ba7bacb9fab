-- The journal's balance check (0026's statement trigger) probes ledger_journal_entries by its
-- primary key once per entry a statement writes. PL/pgSQL keeps a statement's plan for the life
-- of the connection until an ANALYZE of the table invalidates it; with the journal analyzed while
-- empty (a manual ANALYZE after migrations; autovacuum's first pass), the plan made then is a
-- sequential scan, and on a server where nothing analyzes the table again (autovacuum off) every
-- statement then read the whole journal: 20,704 sequential scans and no index scan after 20,704
-- entries (bench/README.md, "A group's cost by its size"). With sequential scans priced out while
-- the trigger runs, the only plan left for the probe is the primary key, whatever the statistics;
-- the statement's own rows (its transition table) are read as before.
alter function ledger_entries_balanced() set enable_seqscan = off;
