-- A loan paid out in several disbursements (tranches, product disbursement type MULTIPLE): each
-- row keeps its place in the simulation's disbursement schedule (1 for the first or only one),
-- so the next one to pay and the listing follow the schedule whatever dates the client asks for.
alter table lending_disbursements add column tranche integer not null default 1 check (tranche >= 1);
