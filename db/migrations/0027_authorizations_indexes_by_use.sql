-- The authorizations' secondary indexes follow the queries Lastro runs.
--
-- (org_id, account_id, created_at) goes: no statement looks authorizations up by account (an
-- account's history is its transactions, `ledger_transactions_account`), and every transfer paid
-- two entries of it (one per side) in its write, a fifth of the authorizations' WAL records.
--
-- (org_id, original_authorization_id) comes, for the rows that have one: the follow-ups of an
-- authorization (a payment-method confirmation or cancellation, a transfer of held funds) were
-- found by reading every authorization of the org. Transfers and other first authorizations
-- have none, so they write no entry in it.
--
-- Building the index blocks inserts of authorizations until it is done: on a large production
-- table, upgrade in a quiet window.
drop index ledger_authorizations_account;
create index ledger_authorizations_original on ledger_authorizations (org_id, original_authorization_id) where original_authorization_id is not null;
