-- Placeholder that keeps migration numbers contiguous up to 0009; the migration numbered
-- 0008 replaces it.
select 1;
