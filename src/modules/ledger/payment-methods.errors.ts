// Coded errors of Pismo's Payment methods v2 payments (cash-in, cash-out, confirm, cancel), with
// the codes its spec documents (WONP…, WONB…). A decline is not an error here: it is answered
// with its response and denial codes, and posts nothing.
import { AppError, type FieldIssue } from '../../platform/errors.js';

export const PaymentMethodErrors = {
  invalid: (details: FieldIssue[]) =>
    new AppError('invalid', 'WONP0001', 'Payload is invalid. It must be a valid JSON.', details, undefined, {
      violations: Object.fromEntries(details.map((d) => [d.field.replace(/^body\./, ''), d.reason])),
    }),
  otherAccount: () => new AppError('invalid', 'WONB0001', 'Authorized account is different from the request.'),
  trackingUsed: () => new AppError('conflict', 'WONP0003', 'Tracking ID was already used.'),
  trackingInProgress: () => new AppError('conflict', 'WONP0004', 'Tracking ID is already in use by an ongoing request.'),
  originalNotFound: () => new AppError('not_found', 'WONP0009', 'Original authorization not found.'),
  cannotConfirm: () => new AppError('invalid', 'WONP0010', 'Original authorization cannot be confirmed.'),
};
