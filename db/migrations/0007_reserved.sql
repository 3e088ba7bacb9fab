-- Intentionally empty: keeps migration numbers contiguous.
select 1;
