// Coded errors of account limits, with the codes Pismo's Ledger API documents (WLDG…).
import { AppError } from '../../platform/errors.js';

export const LimitErrors = {
  badAccountId: () => new AppError('invalid', 'WLDG0020', 'Error parsing accountID to integer number'),
  notFound: () => new AppError('not_found', 'WLDG0022', 'No account limits found'),
  invalidBody: (reason: string) => new AppError('invalid', 'WLDG0021', `Invalid body: ${reason}`),
  parse: (reason: string) => new AppError('invalid', 'WLDG0010', `Error when binding request body: ${reason}`),
  rule: (message: string) => new AppError('invalid', 'WLDG0025', message),
};

/** Coded errors of Pismo's Balances and limits API (program limits, related accounts): WBLS…. */
export const BalancesLimitsErrors = {
  /** A body field: Lastro's `field`/`reason` and Pismo's `location` (`payload.…`)/`message`. */
  invalid: (field: string, message: string) =>
    new AppError('invalid', 'WBLS0002', 'Invalid input', [{ field: `body.${field}`, reason: message, location: `payload.${field}`, message }]),
  invalidQuery: (field: string, message: string) =>
    new AppError('invalid', 'WBLS0005', 'Error validating input', [{ field: `query.${field}`, reason: message, location: `query.${field}`, message }]),
  missingHeaders: () => new AppError('invalid', 'WBLS0001', 'Some required headers are missing'),
  badAccountId: () => new AppError('invalid', 'WBLS0004', 'Invalid account id'),
  accountNotFound: () => new AppError('not_found', 'WBLS0006', 'Account not found'),
  duplicate: () => new AppError('conflict', 'DUPLICATE_CONFIG', 'Duplicate config'),
  configNotFound: () => new AppError('not_found', 'WBLS0007', 'Global configuration not found'),
};
