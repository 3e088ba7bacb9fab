// Coded errors of transaction flows, with the codes Pismo documents for them in
// Core_platform_-_Transactions.yaml (WTRC…, ETRC…). Each 400 names the field.
import { AppError } from '../../platform/errors.js';
import { TransactionTypeErrors } from './transaction-types.errors.js';

const invalid = (code: string, message: string, field: string, reason: string) => new AppError('invalid', code, message, [{ field, reason }]);
const conflict = (code: string, message: string) => new AppError('conflict', code, message);

export const TransactionFlowErrors = {
  customKeyMissing: () => invalid('WTRC04004', 'custom_key is mandatory when key is OTHER', 'body.custom_key', 'is required when key is OTHER'),
  customKeyEmpty: () => invalid('WTRC04005', 'custom_key should not be empty when key is OTHER', 'body.custom_key', 'must not be empty when key is OTHER'),
  customKeyNotAllowed: () =>
    invalid('WTRC04006', 'custom_key should only be provided when key is OTHER', 'body.custom_key', 'is allowed only when key is OTHER'),
  typeMissing: (field: string) => invalid('WTRC05003', "Transaction type doesn't exist", field, 'names no transaction type of this org'),
  codeMissing: (field: string) => invalid('WTRC07001', "Processing code doesn't exist", field, 'names no processing code of this org'),
  flowMissing: () =>
    invalid(
      'WTRC04002',
      "The transaction flow mapping configuration between this processing code and transaction type doesn't exist",
      'path.processingCode',
      'has no transaction flow to this transaction type',
    ),
  exists: () => conflict('WTRC04001', 'Relationship between transaction type and processing code already exists'),
  amountTypeConfigured: (key: string) =>
    conflict('ETRC04003', `The provided amount type is already configured for the processing code: ${key}`),
  principalOrContract: () =>
    conflict(
      'ETRC04005',
      'The provided amount type conflicts with an existing configured amount type for the processing code. Please select either Principal or Contract',
    ),
  creditMismatch: (credit: boolean, impact: number) =>
    conflict(
      'ETRC04006',
      `Transaction Type isCredit does not correspond to the processing code balance impact (credit ${credit}, balance_impact ${impact})`,
    ),
  reserved: (id: number | string) => TransactionTypeErrors.reserved(id),
};
