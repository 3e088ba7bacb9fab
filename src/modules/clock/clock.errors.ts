// Coded errors of the clock routes (Lastro-only: Pismo has no test clocks).
import { AppError } from '../../platform/errors.js';

export const ClockErrors = {
  notSandbox: () =>
    new AppError('conflict', 'TEST_CLOCK_NOT_SANDBOX', 'Only a sandbox org has a test clock; a production org follows the wall clock'),
  dateInPast: (to: string, today: string) =>
    new AppError('invalid', 'TEST_CLOCK_DATE_IN_PAST', `to ${to} is before the business date ${today}: a test clock only moves forward`, [
      { field: 'body.to', reason: `must not be before the business date ${today}` },
    ]),
  tooFar: (field: 'body.to' | 'body.days', max: number, today: string) =>
    new AppError('invalid', 'TEST_CLOCK_TOO_FAR', `An advance may close at most ${max} days at once (the business date is ${today})`, [
      { field, reason: `must be at most ${max} days after the business date ${today}` },
    ]),
  oneOf: (given: 'both' | 'neither') =>
    new AppError('invalid', 'VALIDATION_ERROR', 'Invalid request: give exactly one of body.to and body.days', [
      { field: given === 'both' ? 'body.days' : 'body.to', reason: given === 'both' ? 'must not be given with to' : 'give to (a date) or days (a number)' },
    ]),
  inProgress: (advanceId: string) =>
    new AppError('conflict', 'TEST_CLOCK_ADVANCE_IN_PROGRESS', `Advance ${advanceId} is still closing days; poll it until it is DONE`, {
      advance_id: advanceId,
    }),
  // Not-found messages do not repeat the id: it may be another org's.
  advanceNotFound: () => new AppError('not_found', 'TEST_CLOCK_ADVANCE_NOT_FOUND', 'Test clock advance not found'),
  programNotFound: () => new AppError('not_found', 'PROGRAM_NOT_FOUND', 'Program not found: program_id is not a program of this org'),
};
