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
  accountNotFound: (id: string | bigint, message = `Account not found with id: ${id}`) => new AppError('not_found', 'ACCOUNT_NOT_FOUND', message),
  applicationNotFound: (id: string | bigint) => new AppError('not_found', 'APPLICATION_NOT_FOUND', `Application not found with id: ${id}`),
  /** A submitted application cannot change (Pismo: "No further updates can be made"). */
  applicationSubmitted: (id: string | bigint, status: string) =>
    new AppError('conflict', 'APPLICATION_NOT_PROSPECT', `Application ${id} is ${status}: only a prospect can be updated`),
  /** Pismo EACC0018: "Account status already exists with key(s): 'NORMAL'". */
  statusExists: (name: string) => new AppError('conflict', 'EACC0018', `Account status already exists with key(s): '${name}'`),
  reasonExists: (name: string) => new AppError('conflict', 'EACC0018', `Account reason already exists with key(s): '${name}'`),
  /** Pismo: 400 "Status not found". */
  statusNotFound: (name: string) =>
    new AppError('invalid', 'STATUS_NOT_FOUND', 'Status not found', [{ field: 'body.status', reason: `"${name}" is not an active account status of this org` }]),
  reasonNotFound: (id: number) =>
    new AppError('invalid', 'REASON_NOT_FOUND', 'Reason not found', [{ field: 'body.reason_id', reason: `${id} is not an active status reason of this org` }]),
  /** Pismo (rollback): 404 "Account or status not found". */
  rollbackNotFound: (what: string) => new AppError('not_found', 'ACCOUNT_OR_STATUS_NOT_FOUND', `Account or status not found: ${what}`),
  /** Pismo: a final status cannot be updated, only rolled back. */
  finalStatus: (name: string) =>
    new AppError('conflict', 'ACCOUNT_STATUS_FINAL', `The account's status ${name} is final: it can only be rolled back`),
  /** Pismo WACC0011: "Invalid cursor value". */
  invalidCursor: () => new AppError('invalid', 'WACC0011', 'Invalid cursor value', [{ field: 'query.nextCursor', reason: 'is not a cursor this API returned' }]),
  /** Pismo (Get customer): 404 "Customer not found." */
  customerNotFound: (id: string | bigint) => new AppError('not_found', 'CUSTOMER_NOT_FOUND', `Customer not found with id: ${id}`),
  /** Pismo (Create customer): 409 "Customer with accountId=(1001) and documentNumber=(01544455558) exists". */
  customerExists: (accountId: string | bigint, documentNumber: string) =>
    new AppError('conflict', 'CUSTOMER_ALREADY_EXISTS', `Customer with accountId=(${accountId}) and documentNumber=(${documentNumber}) exists`),
  /** Pismo: 400 "New customer owner must not be inactive". */
  inactiveOwner: (field: string) =>
    new AppError('invalid', 'INACTIVE_OWNER', 'New customer owner must not be inactive', [{ field, reason: 'an inactive customer cannot become the owner' }]),
  /** Pismo (Get address): 404 "Address not found for this account" (inactive addresses too). */
  addressNotFound: () => new AppError('not_found', 'ADDRESS_NOT_FOUND', 'Address not found for this account'),
  phoneNotFound: () => new AppError('not_found', 'PHONE_NOT_FOUND', 'Phone not found for this account'),
  /** Pismo (Create phone): 409 "Phone number already exists" (an active phone of the account with this number). */
  phoneExists: () => new AppError('conflict', 'PHONE_ALREADY_EXISTS', 'Phone number already exists'),
  /** Pismo (Update phone): 422 "Can't update an inactive phone number". */
  phoneInactive: () => new AppError('unprocessable', 'PHONE_INACTIVE', "Can't update an inactive phone number"),
  parameterNotFound: (id: string) => new AppError('not_found', 'PARAMETER_NOT_FOUND', `Parameter ${id} is not set on this account`),
};
