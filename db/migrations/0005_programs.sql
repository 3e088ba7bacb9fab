-- Programs (Pismo Platform setup - Programs), their due dates and asynchronous creations
-- (imports), and holiday calendars (Platform setup - Holidays). Every table is a tenant table:
-- org_id first in the primary key, and the row-level security policy of 0002.

create table holiday_calendars (
  org_id text not null references orgs (org_id),
  holiday_calendar_id bigint generated always as identity,
  name text not null,
  type text not null,
  -- Never all digits: a program's holiday_calendar_id of digits names a calendar by its id.
  external_id text check (external_id !~ '^[0-9]+$'),
  parent_id bigint,
  metadata jsonb,
  working_days integer[] not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, holiday_calendar_id),
  -- A parent is a calendar of the same org; one still referenced by a child cannot be deleted.
  constraint holiday_calendars_parent_fk foreign key (org_id, parent_id) references holiday_calendars (org_id, holiday_calendar_id)
);
create unique index holiday_calendars_id on holiday_calendars (holiday_calendar_id);
-- Pismo: "Holiday calendar name. Must be unique per organization."
create unique index holiday_calendars_name on holiday_calendars (org_id, name);
create unique index holiday_calendars_external_id on holiday_calendars (org_id, external_id) where external_id is not null;
-- Children of a calendar (relation=children, the check before a delete, the foreign key above).
create index holiday_calendars_parent on holiday_calendars (org_id, parent_id) where parent_id is not null;

create table holidays (
  org_id text not null,
  holiday_id bigint generated always as identity,
  holiday_calendar_id bigint not null,
  holiday_date text not null check (holiday_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  name text not null,
  description text,
  metadata jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, holiday_id),
  constraint holidays_calendar_fk foreign key (org_id, holiday_calendar_id)
    references holiday_calendars (org_id, holiday_calendar_id) on delete cascade
);
create unique index holidays_id on holidays (holiday_id);
create unique index holidays_one_per_date on holidays (org_id, holiday_calendar_id, holiday_date);

-- Program ids are int64 as Pismo's, from one sequence across orgs (an id names one program).
create table programs (
  org_id text not null references orgs (org_id),
  program_id bigint generated always as identity,
  name text not null,
  type_id integer not null,
  status text not null check (status in ('ACTIVE', 'PENDING')),
  timezone text not null,
  currency_numeric_code text not null,
  country_code text not null,
  language text not null,
  cycle_closing text,
  brand text,
  bin_value text,
  bin_start_range text,
  bin_end_range text,
  holiday_calendar_id bigint,
  base_program_id bigint,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, program_id),
  -- A calendar a program uses cannot be deleted from under it.
  constraint programs_holiday_calendar_fk foreign key (org_id, holiday_calendar_id)
    references holiday_calendars (org_id, holiday_calendar_id)
);
create unique index programs_id on programs (program_id);
-- The list sorted by name (orderBy=NAME sorts on lower(name), then program_id).
create index programs_name on programs (org_id, lower(name), program_id);
-- Programs of a calendar (the check before a calendar is deleted, the foreign key above).
create index programs_holiday_calendar on programs (org_id, holiday_calendar_id) where holiday_calendar_id is not null;

-- Due dates: accounts of full-balance credit programs pick one by its id.
create table program_due_dates (
  org_id text not null,
  due_date_id bigint generated always as identity,
  program_id bigint not null,
  day integer not null check (day between 1 and 28),
  active boolean not null,
  primary key (org_id, due_date_id),
  foreign key (org_id, program_id) references programs (org_id, program_id),
  unique (org_id, program_id, day)
);
create unique index program_due_dates_id on program_due_dates (due_date_id);

-- Asynchronous creations (POST /programs/v2/programs/template and /copy). `request` holds the
-- program as resolved when the request was accepted (a copy's base program read, the calendar
-- reference turned into its id), so the job only inserts it; status follows Pismo's import
-- statuses.
create table program_imports (
  org_id text not null references orgs (org_id),
  program_import_id bigint generated always as identity,
  kind text not null check (kind in ('TEMPLATE', 'COPY')),
  request jsonb not null,
  status text not null check (status in ('PENDING', 'PROCESS', 'SUCCESS', 'ERROR')),
  program_id bigint,
  details text,
  cid text,
  started_at timestamptz not null,
  finished_at timestamptz,
  primary key (org_id, program_import_id)
);
create unique index program_imports_id on program_imports (program_import_id);
create index program_imports_program on program_imports (org_id, program_id);

do $$
declare
  t text;
begin
  foreach t in array array['holiday_calendars', 'holidays', 'programs', 'program_due_dates', 'program_imports'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')
      with check (org_id = current_setting('lastro.org_id', true) or current_setting('lastro.system', true) = 'on')$p$, t);
    if exists (select 1 from pg_roles where rolname = 'lastro_app') then
      execute format('grant select, insert, update, delete on %I to lastro_app', t);
    end if;
  end loop;
  if exists (select 1 from pg_roles where rolname = 'lastro_app') then
    grant usage, select on all sequences in schema public to lastro_app;
  end if;
end
$$;
