// Coded errors of the calendars module, with the codes Pismo documents for its Holidays API (EHLD…).
import { AppError, PlatformErrors, type FieldIssue } from '../../platform/errors.js';

export const CalendarErrors = {
  /** Pismo Holidays API: x-tenant missing. */
  missingTenant: () => new AppError('invalid', 'EHLD0016', 'Missing x-tenant header'),
  calendarNotFound: (field?: string) =>
    new AppError('not_found', 'EHLD0052', `Holiday calendar not found${field ? `: ${field} names no calendar of this org` : ''}`),
  parentNotFound: (field?: string) =>
    new AppError('not_found', 'EHLD0052', `Holiday calendar not found: ${field ? `${field} names no calendar of this org` : 'the parent calendar does not exist'}`),
  /** A calendar named by id and by external id, in one body, when the two name different calendars. */
  referencesDiffer: (byId: { field: string; id: bigint }, byExternalId: { field: string; value: string; id: bigint }) =>
    PlatformErrors.validation([
      {
        field: `body.${byId.field}`,
        reason: `names holiday calendar ${byId.id}, but ${byExternalId.field} "${byExternalId.value}" names calendar ${byExternalId.id}: give one of them, or both naming the same calendar`,
      },
      { field: `body.${byExternalId.field}`, reason: `names holiday calendar ${byExternalId.id}, not calendar ${byId.id} that ${byId.field} names` },
    ]),
  holidayNotFound: () => new AppError('not_found', 'EHLD0034', 'Holiday not found'),
  calendarExists: (what: string) => new AppError('conflict', 'EHLD0027', `Holiday calendar already exists: ${what}`),
  holidayExists: (date: string) => new AppError('conflict', 'EHLD0027', `A holiday on ${date} already exists in this calendar`),
  calendarInUse: (by: string) =>
    new AppError('conflict', 'HOLIDAY_CALENDAR_IN_USE', `The holiday calendar is used by ${by}; change them first`),
  missingCalendarRef: () =>
    new AppError('invalid', 'EHLD0050', 'Missing required fields: give holiday_calendar_id or external_id', [
      { field: 'body.holiday_calendar_id', reason: 'give holiday_calendar_id or external_id (or both, naming the same calendar)' },
    ]),
  invalid: (issues: FieldIssue[]) => PlatformErrors.validation(issues),
};
