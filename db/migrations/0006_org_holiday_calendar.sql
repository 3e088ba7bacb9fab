-- An org's holiday_calendar_id names one of its own holiday calendars. Values stored before
-- calendars existed are left as they are (NOT VALID skips them); every new value is checked,
-- and a calendar an org uses cannot be deleted.
alter table orgs
  add constraint orgs_holiday_calendar_fk foreign key (org_id, holiday_calendar_id)
  references holiday_calendars (org_id, holiday_calendar_id) not valid;
