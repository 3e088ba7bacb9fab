// Coded errors of payments and holds, with the codes Pismo's Payments API documents (WP2P…,
// WLDG…, EP2P…). A decline is one of these: its code is the reason, and nothing is posted.
import { AppError, type FieldIssue } from '../../platform/errors.js';

export interface TrackedAuthorization {
  authorization_id: number;
  response_code: string;
  amount: number;
  date: string;
}

export const PaymentErrors = {
  invalidPayload: (reason: string, details?: FieldIssue[]) => new AppError('invalid', 'WP2P0000', reason, details),
  invalidCurrency: () => new AppError('invalid', 'WP2P0000', 'The currency sent is invalid.'),
  decimalPlaces: (places: number) => new AppError('invalid', 'WP2P0000', `The amount must have a maximum of ${places === 2 ? 'two' : places} decimal places.`),
  unsupported: (what: string) => new AppError('invalid', 'EP2P9999', `Unable to proceed with request! ${what}`),
  invalidDebitCode: () => new AppError('invalid', 'WP2P0005', 'Invalid debit processing code.'),
  invalidCreditCode: () => new AppError('invalid', 'WP2P0006', 'Invalid credit processing code.'),
  codeNotFound: (code: string) => new AppError('invalid', 'WP2P0003', `No Orgs Operation Found: ${code}`),
  noDebitStatus: () => new AppError('invalid', 'WP2P0002', 'Account has no debit status active.'),
  noCreditStatus: () => new AppError('invalid', 'WP2P0002', 'Account has no credit status active.'),
  accountNotFound: () => new AppError('invalid', 'WLDG0019', 'No Accounts authorization found.'),
  noLimit: (amount: string, available: string) =>
    new AppError('invalid', 'WLDG0006', `No AvailableCreditLimit to complete the transaction - amount: ${amount}, availableCreditLimit: ${available}`),
  otherAccount: () => new AppError('unprocessable', 'WP2P0000', 'Authorized account is different from the request'),
  trackingInUse: (authorizations?: TrackedAuthorization[]) =>
    new AppError('conflict', 'WP2P0010', 'Tracking id is already in use.', undefined, undefined, authorizations ? { authorizations } : undefined),
  trackingTooLong: () => new AppError('invalid', 'WP2P0019', 'Tracking ID is longer than 50 characters.'),
  holdNotFound: (trackingId: string) => new AppError('not_found', 'WP2P0004', `No held funds found for tracking id ${trackingId}`),
  authorizationNotFound: () => new AppError('not_found', 'WP2P0004', 'Authorization not found'),
  alreadyCancelled: () => new AppError('conflict', 'AMON0004', 'Authorization already cancelled'),
};
