// Coded errors of the programs module, with the codes Pismo documents for the Programs API
// (EOA…) and the Holidays API (EHLD…).
import { AppError, PlatformErrors, type FieldIssue } from '../../platform/errors.js';
import { RULE_MESSAGES, type RuleIssue } from './programs.rules.js';

export const ProgramErrors = {
  /** Pismo Programs API: x-tenant missing. */
  missingTenant: () => new AppError('invalid', 'EOA0017', 'Missing x-tenant header'),
  programNotFound: (id: number | bigint | string) => new AppError('not_found', 'EOA0020', `Program ${id} not found`),
  importNotFound: (id: number | bigint | string) => new AppError('not_found', 'EOA0091', `Program import ${id} not found`),
  importForProgramNotFound: (id: number | bigint | string) => new AppError('not_found', 'EOA0091', `Program import for program ${id} not found`),
  invalid: (issues: FieldIssue[]) => PlatformErrors.validation(issues),
  /**
   * Rule violations across fields: one 400 naming every field, with the Pismo code of the first
   * coded rule broken (a plain VALIDATION_ERROR when none has a Pismo code).
   */
  rules: (issues: RuleIssue[]) => {
    const coded = issues.find((i) => i.code !== 'VALIDATION_ERROR') ?? issues[0]!;
    const details = issues.map(({ field, reason }) => ({ field, reason }));
    if (coded.code === 'VALIDATION_ERROR') return PlatformErrors.validation(details);
    return new AppError('invalid', coded.code, `${RULE_MESSAGES[coded.code]}: ${details.map((d) => `${d.field} ${d.reason}`).join('; ')}`, details);
  },
  unknownCalendar: (field: string) =>
    PlatformErrors.validation([{ field, reason: 'does not name a holiday calendar of this org' }]),
};

export const HolidayErrors = {
  /** Pismo Holidays API: x-tenant missing. */
  missingTenant: () => new AppError('invalid', 'EHLD0016', 'Missing x-tenant header'),
  calendarNotFound: () => new AppError('not_found', 'EHLD0052', 'Holiday calendar not found'),
  parentNotFound: () => new AppError('not_found', 'EHLD0052', 'Holiday calendar not found: the parent calendar does not exist'),
  holidayNotFound: () => new AppError('not_found', 'EHLD0034', 'Holiday not found'),
  calendarExists: (what: string) => new AppError('conflict', 'EHLD0027', `Holiday calendar already exists: ${what}`),
  holidayExists: (date: string) => new AppError('conflict', 'EHLD0027', `A holiday on ${date} already exists in this calendar`),
  calendarInUse: (by: string) =>
    new AppError('conflict', 'HOLIDAY_CALENDAR_IN_USE', `The holiday calendar is used by ${by}; change them first`),
  missingCalendarRef: () =>
    new AppError('invalid', 'EHLD0050', 'Missing required fields: give holiday_calendar_id or external_id', [
      { field: 'body.holiday_calendar_id', reason: 'give holiday_calendar_id or external_id (not both)' },
    ]),
  invalid: (issues: FieldIssue[]) => PlatformErrors.validation(issues),
};
