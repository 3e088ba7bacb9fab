// Coded errors of the accounts module. Pismo's Accounts API documents codes (EACC…) for statuses
// and reasons; its application and account operations answer `{message}` only, so Lastro keeps
// Pismo's message text and adds a code of its own.
import { AppError, PlatformErrors, type FieldIssue } from '../../platform/errors.js';

export const AccountErrors = {
  invalid: (issues: FieldIssue[]) => PlatformErrors.validation(issues),
  /** Pismo: 400 "Invalid acquisition channel". */
  invalidChannel: (field = 'body.application.acquisition_channel') =>
    new AppError('invalid', 'INVALID_ACQUISITION_CHANNEL', 'Invalid acquisition channel', [{ field, reason: 'does not name an acquisition channel of this org' }]),
  /** Pismo: 400 "Account cannot be created due to program restrictions". */
  programRestriction: (issues: FieldIssue[]) =>
    new AppError(
      'invalid',
      'PROGRAM_RESTRICTION',
      `Account cannot be created due to program restrictions: ${issues.map((i) => `${i.field} ${i.reason}`).join('; ')}`,
      issues,
    ),
  /** Pismo: 409 "Account already created" (the document already has an account in the program). */
  accountAlreadyCreated: () => new AppError('conflict', 'ACCOUNT_ALREADY_CREATED', 'Account already created'),
  /** Pismo: 404 "Account not found". */
  accountNotFound: (id: string | bigint) => new AppError('not_found', 'ACCOUNT_NOT_FOUND', `Account not found with id: ${id}`),
  applicationNotFound: (id: string | bigint) => new AppError('not_found', 'APPLICATION_NOT_FOUND', `Application not found with id: ${id}`),
  /** A submitted application cannot change (Pismo: "No further updates can be made"). */
  applicationSubmitted: (id: string | bigint) =>
    new AppError('conflict', 'APPLICATION_ALREADY_SUBMITTED', `Application ${id} was already submitted and can no longer be changed`),
  /** Pismo EACC0018: "Account status already exists with key(s): 'NORMAL'". */
  statusExists: (name: string) => new AppError('conflict', 'EACC0018', `Account status already exists with key(s): '${name}'`),
  reasonExists: (name: string) => new AppError('conflict', 'EACC0018', `Account reason already exists with key(s): '${name}'`),
  statusNotFound: (name: string) =>
    PlatformErrors.validation([{ field: 'body.status', reason: `"${name}" is not an active account status of this org` }]),
  reasonNotFound: (id: number) => PlatformErrors.validation([{ field: 'body.reason_id', reason: `${id} is not an active status reason of this org` }]),
  /** Pismo: a final status cannot be updated, only rolled back. */
  finalStatus: (name: string) =>
    new AppError('conflict', 'ACCOUNT_STATUS_FINAL', `The account's status ${name} is final: it can only be rolled back`),
  nothingToRollBack: () => new AppError('conflict', 'NO_STATUS_TO_ROLL_BACK', 'The account has no status change to roll back'),
  /** Pismo WACC0011: "Invalid cursor value". */
  invalidCursor: () => new AppError('invalid', 'WACC0011', 'Invalid cursor value', [{ field: 'query.nextCursor', reason: 'is not a cursor this API returned' }]),
};
