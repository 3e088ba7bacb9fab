// Coded errors of account limits, with the codes Pismo's Ledger API documents (WLDG…).
import { AppError } from '../../platform/errors.js';

export const LimitErrors = {
  badAccountId: () => new AppError('invalid', 'WLDG0020', 'Error parsing accountID to integer number'),
  notFound: () => new AppError('not_found', 'WLDG0022', 'No account limits found'),
  invalidBody: (reason: string) => new AppError('invalid', 'WLDG0021', `Invalid body: ${reason}`),
  parse: (reason: string) => new AppError('invalid', 'WLDG0010', `Error when binding request body: ${reason}`),
  rule: (message: string) => new AppError('invalid', 'WLDG0025', message),
};
