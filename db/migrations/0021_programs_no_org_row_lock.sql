-- A program create no longer locks its org's row. The foreign key from programs to orgs made
-- every insert take FOR KEY SHARE on the one orgs row of the org, held until commit; concurrent
-- creates of one org then shared it through a multixact rewritten by each new locker (a WAL
-- record and the orgs page written per create, its buffer contended). Orgs are never deleted and
-- a program is only written in its own org's tenant transaction (row-level security checks
-- org_id), so the key kept nothing the application does not; the ledger's request-path tables
-- (0014) have no such key for the same reason. program_imports and the other tenant tables keep
-- theirs.
alter table programs drop constraint programs_org_id_fkey;
